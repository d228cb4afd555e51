package io.kanaal.product;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GTIN check digits, price rules and a channel's rules, as docs/products.md states them. */
class PriceAndRulesTest {

    @ParameterizedTest
    @CsvSource({"8712345678906,true", "8712345678907,false", "036000291452,true", "036000291453,false",
            "10012345678902,true", "10012345678903,false", "96385074,true", "871234567890,false", "87123456789O6,false"})
    void aGtinIsValidOnlyWithItsCheckDigit(String gtin, boolean valid) {
        assertThat(Gtin.valid(gtin)).as(gtin).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({
            "19.99, 10, 0,    none, 0,  , 2, 21.99",
            "19.99, 10, 0,    0.95, 0,  , 2, 22.95",
            "20.50, 10, 0,    0.95, 0,  , 2, 22.95",
            "19.99, 10, 0,    0.99, 0,  , 2, 21.99",
            "19.99, 10, 0,    whole, 0, , 2, 22.00",
            "19.99, 0,  1.50, none, 0,  , 2, 21.49",
            "19.99, 0,  0,    0.99, 25, 20, 2, 25.99",
            "19.99, 0,  0,    none, 25, 10, 2, 19.99",
            "1000,  10, 0,    none, 0,  , 0, 1100"})
    void aPriceRuleMarksUpRoundsUpAndKeepsTheMinimumMargin(String base, String markup, String add, String rounding,
            String margin, String cost, int decimals, String expected) {
        PriceRule rule = PriceRule.of(Map.of("price-markup", markup, "price-add", add, "price-rounding", rounding,
                "price-minimum-margin", margin));
        BigDecimal price = rule.apply(new BigDecimal(base), cost == null ? null : new BigDecimal(cost), decimals);
        assertThat(price).isEqualByComparingTo(expected);
        assertThat(price.scale()).isEqualTo(decimals);
    }

    @Test
    void aChannelsRulesNameWhatIsWrongAndItsSettingsWinOverItsTypes() throws Exception {
        ProductRules rules = ProductRules.of(new ObjectMapper().readTree("""
                {"required": ["gtin"], "maxTitleLength": 10, "allowedCategories": ["Clothing"],
                 "allowedValues": {"colour": ["red", "blue"]}}
                """), Map.of("rules.max-title-length", "20", "rules.allowed-values.size", "S,M,L"));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("title", "A title of 18 chars");
        view.put("category", "Garden > Tools");
        view.put("attributes", Map.of("colour", Map.of("value", "green"), "size", Map.of("value", "M")));
        view.put("price", Map.of("amount", new BigDecimal("0.00"), "currency", "EUR"));

        List<ProductRules.Reject> rejects = rules.check(view);

        assertThat(rejects).extracting(ProductRules.Reject::rule)
                .containsExactly("required", "allowed-categories", "allowed-values", "price-above-zero");
        assertThat(rejects).extracting(ProductRules.Reject::field)
                .containsExactly("gtin", "category", "attributes.colour", "price.amount");
        assertThat(rejects.get(2).message()).contains("green").contains("[red, blue]");
    }

    @Test
    void aProductPricedInAnotherCurrencyIsRejectedForThatReason() {
        Map<String, Object> view = Map.of("title", "T", "price", Map.of("currency", "GBP", "sourceCurrency", "EUR"));
        assertThat(ProductRules.none().check(view)).extracting(ProductRules.Reject::rule).containsExactly("currency");
    }

    @Test
    void aModelWithoutAPriceIsTakenOnlyWhereTheTypesRulesSaySoAndAProductWithoutVariantsNeverIs() throws Exception {
        Map<String, Object> model = Map.of("title", "T-shirt", "variants", List.of("TSHIRT-M", "TSHIRT-L"),
                "price", Map.of("amount", new BigDecimal("0.00"), "currency", "EUR"));
        Map<String, Object> single = Map.of("title", "Mug", "price", Map.of("amount", new BigDecimal("0.00"), "currency", "EUR"));
        ProductRules webshop = ProductRules.of(new ObjectMapper().readTree("{\"modelsNeedNoPrice\": true}"), Map.of());

        assertThat(webshop.check(model)).isEmpty();
        assertThat(webshop.check(single)).extracting(ProductRules.Reject::rule).containsExactly("price-above-zero");
        assertThat(ProductRules.none().check(model)).extracting(ProductRules.Reject::rule).containsExactly("price-above-zero");
    }
}
