package io.kanaal.api;

import java.util.List;

/** A validated ERP batch: the items to queue, and the report to send back. */
public record Batch<T>(List<T> accepted, BatchReport report) {
}
