package io.kanaal.config;

import javax.sql.DataSource;
import org.quartz.Scheduler;
import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.quartz.SchedulerFactoryBean;

/**
 * The clustered Quartz scheduler of the {@code cluster} profile stops before the database pool closes.
 *
 * <p>Spring Boot hands the scheduler its data source without declaring a dependency, so on shutdown the pool
 * could close first: the scheduler thread, still firing the poll trigger it had acquired, then failed to write
 * the trigger's state, the trigger stayed acquired by the stopping instance, and the other instances waited for
 * that instance's check-in to expire (as after a crash) before polling again (ClusteredPollerTest met this
 * once in a full run: no poll in the 23 s after the polling instance stopped). With the scheduler depending on
 * the data source, Spring stops it first and the trigger is released while the database is still there.
 * Without the {@code cluster} profile there is no scheduler bean and this does nothing. (The same symptom in
 * that test came back later from another cause that exists only with two instances in one JVM: Quartz's one
 * connection provider per scheduler name; see ClusteredPollerTest.)
 */
@Configuration(proxyBeanMethods = false)
public class QuartzShutdownOrder {

    @Bean
    static SchedulerAfterDataSource schedulerAfterDataSource() {
        return new SchedulerAfterDataSource();
    }

    static final class SchedulerAfterDataSource extends AbstractDependsOnBeanFactoryPostProcessor {
        SchedulerAfterDataSource() {
            super(Scheduler.class, SchedulerFactoryBean.class, DataSource.class);
        }
    }
}
