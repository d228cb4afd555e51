package io.kanaal.erp;

import io.kanaal.api.Batch;
import io.kanaal.api.BatchItem;
import io.kanaal.api.BatchReport;
import java.util.List;
import org.apache.camel.Body;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;

/**
 * What the ERP API's routes take from a validated batch (variable {@code batch}). Called as {@code bean}
 * steps: a simple expression on a property ({@code ${variable.batch.report}}) evaluates on a copy of the
 * exchange and looks the method up for every call, a cost a stock update paid about ten times on its way.
 */
@Component("erpBatches")
public class ErpBatches {

    /** The items to queue. */
    public List<?> accepted(@Variable("batch") Batch<?> batch) {
        return batch.accepted();
    }

    /** The report for the ERP. */
    public BatchReport report(@Variable("batch") Batch<?> batch) {
        return batch.report();
    }

    /** Sets JMSXGroupID to the item's group, so that its queue keeps the group's items in order. */
    public void group(@Body BatchItem item, Message message) {
        message.setHeader("JMSXGroupID", item.groupKey());
    }
}
