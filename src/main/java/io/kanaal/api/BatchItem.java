package io.kanaal.api;

/** An item of an ERP batch, as it goes onto its queue. */
public interface BatchItem {

    /** The message group the item's queue keeps in order: the SKU of a stock level, the order of a shipment. */
    String groupKey();
}
