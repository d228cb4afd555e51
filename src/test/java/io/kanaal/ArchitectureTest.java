package io.kanaal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Packages depend one way (docs/architecture.md, "Packages"):
 * {@code api} and {@code broker} need nothing of Kanaal's; {@code stock} (ledger, reservations, the channels'
 * quantities) needs only {@code api}; {@code channel} and its types need {@code stock}, {@code broker} and
 * {@code api}; {@code order} and {@code erp} come above them; {@code ops} above all of those; {@code config}
 * wires everything and nothing needs it.
 */
@AnalyzeClasses(packages = "io.kanaal", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("io.kanaal.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCyclesBetweenChannelTypes =
            slices().matching("io.kanaal.channel.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule apiAndBrokerNeedNothingOfKanaal = noClasses()
            .that().resideInAnyPackage("io.kanaal.api..", "io.kanaal.broker..")
            .should().dependOnClassesThat().resideInAnyPackage("io.kanaal.stock..", "io.kanaal.channel..",
                    "io.kanaal.order..", "io.kanaal.erp..", "io.kanaal.ops..", "io.kanaal.config..", "io.kanaal.mapping..");

    @ArchTest
    static final ArchRule stockKnowsNothingOfChannelsOpsConfigurationOrDelivery = noClasses()
            .that().resideInAPackage("io.kanaal.stock..")
            .should().dependOnClassesThat().resideInAnyPackage("io.kanaal.channel..", "io.kanaal.order..",
                    "io.kanaal.erp..", "io.kanaal.ops..", "io.kanaal.config..", "io.kanaal.broker..");

    @ArchTest
    static final ArchRule channelsNeedNoOrdersErpOpsOrConfiguration = noClasses()
            .that().resideInAPackage("io.kanaal.channel..")
            .should().dependOnClassesThat().resideInAnyPackage("io.kanaal.order..", "io.kanaal.erp..",
                    "io.kanaal.ops..", "io.kanaal.config..");

    @ArchTest
    static final ArchRule ordersAndErpIntakeNeedNoOpsOrConfiguration = noClasses()
            .that().resideInAnyPackage("io.kanaal.order..", "io.kanaal.erp..")
            .should().dependOnClassesThat().resideInAnyPackage("io.kanaal.ops..", "io.kanaal.config..");

    @ArchTest
    static final ArchRule ordersAndErpIntakeAreIndependent = noClasses()
            .that().resideInAPackage("io.kanaal.order..")
            .should().dependOnClassesThat().resideInAPackage("io.kanaal.erp..");

    @ArchTest
    static final ArchRule nothingNeedsTheConfiguration = noClasses()
            .that().resideOutsideOfPackage("io.kanaal.config..")
            .should().dependOnClassesThat().resideInAPackage("io.kanaal.config..");
}
