/** Compliance reports: the events and alerts of a period exported from OpenSearch, hash-chained, with a signed manifest. */
package io.airlock.report;
