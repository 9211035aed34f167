/**
 * Delivery stage of Airlock: events and alerts from Kafka into OpenSearch, alerts to Slack and PagerDuty.
 *
 * <p>Wiring, as the {@code app} module does it:
 * <pre>{@code
 * OpenSearchSettings os = OpenSearchSettings.local(URI.create("http://127.0.0.1:9200"));
 * OpenSearchClient client = OpenSearchClients.create(os);
 * new IndexTemplates(client, os).install();
 * DocumentIndexer indexer = new OpenSearchIndexer(client, RetryPolicy.defaults());
 * AlertLinks links = AlertLinks.of(dashboardsUrl, docsUrl, os.indexNames());
 * AlertRouter router = AlertRouter.defaults(
 *         new SlackNotifier(Secret.fromEnv("AIRLOCK_SLACK_WEBHOOK_URL"), links),
 *         new PagerDutyNotifier(Secret.fromEnv("AIRLOCK_PAGERDUTY_ROUTING_KEY"), links));
 * Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:9092", "group.id", "airlock-alerting");
 * var events = new EventIndexingLoop(kafka, topics, os.indexNames(), indexer, RetryPolicy.defaults());
 * var alerts = new AlertDeliveryLoop(kafka, topics, os.indexNames(), indexer, router, RetryPolicy.defaults());
 * // run each on its own thread; close() them on shutdown
 * }</pre>
 *
 * <p>Secrets ({@link io.airlock.alerting.Secret}) never reach a log line, exception message or {@code toString()}.
 * Logs carry identifiers (topic, partition, offset, alert id, rule), never payloads.
 */
package io.airlock.alerting;
