/**
 * Delivery stage of Airlock: events and alerts from Kafka into OpenSearch, alerts to Slack and PagerDuty.
 *
 * <p>Wiring, as the {@code app} module does it:
 * <pre>{@code
 * OpenSearchSettings os = OpenSearchSettings.local(URI.create("http://127.0.0.1:9200"));
 * OpenSearchClient client = OpenSearchClients.create(os);
 * new IndexTemplates(client, os).install();
 * DocumentIndexer indexer = new OpenSearchIndexer(client, RetryPolicy.defaults(), os);
 * AlertLinks links = AlertLinks.of(dashboardsUrl, docsUrl, os.indexNames());
 * RoutingConfig routing = RoutingConfig.defaults(Optional.of(Secret.fromEnv("AIRLOCK_SLACK_WEBHOOK_URL")),
 *         Optional.of(Secret.fromEnv("AIRLOCK_PAGERDUTY_ROUTING_KEY")), PagerDutyNotifier.DEFAULT_EVENTS_URL);
 * AlertRouter router = AlertRouter.from(routing, links, RetryPolicy.defaults());
 * IndexRetention retention = new IndexRetention(client, os, 30).start(Duration.ofHours(1));
 * Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:9092", "group.id", "airlock-alerting");
 * var events = new EventIndexingLoop(kafka, topics, os.indexNames(), indexer, RetryPolicy.defaults());
 * var alerts = new AlertDeliveryLoop(kafka, topics, os.indexNames(), indexer, router, RetryPolicy.defaults());
 * // run each loop on its own thread; close() them and the retention on shutdown
 * }</pre>
 *
 * <p>Secrets ({@link io.airlock.alerting.Secret}) never reach a log line, exception message or {@code toString()}.
 * Logs carry identifiers (topic, partition, offset, alert id, rule), never payloads.
 */
package io.airlock.alerting;
