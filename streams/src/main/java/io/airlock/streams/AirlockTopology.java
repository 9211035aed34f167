package io.airlock.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.detect.AccountChangeRule;
import io.airlock.streams.detect.AuditTrailTamperingRule;
import io.airlock.streams.detect.CountedTimes;
import io.airlock.streams.detect.DeniedAccessBurstRule;
import io.airlock.streams.detect.FailedLoginBurstRule;
import io.airlock.streams.detect.FirstSeenSecretPathRule;
import io.airlock.streams.detect.HumanPipelineSecretReadRule;
import io.airlock.streams.detect.LoginAfterBurstRule;
import io.airlock.streams.detect.OffHoursChangeRule;
import io.airlock.streams.detect.OffHoursManualRunRule;
import io.airlock.streams.detect.PasswordSprayRule;
import io.airlock.streams.detect.SecretHarvestingRule;
import io.airlock.streams.detect.SecretReadOutsideRunsRule;
import io.airlock.streams.detect.UserAuthAlerts;
import io.airlock.streams.detect.VaultSecretReads;
import io.airlock.streams.internal.JsonSerdes;
import io.airlock.streams.internal.RetainedRecordTimes;
import io.airlock.streams.internal.StateStores;
import io.airlock.streams.internal.TrueRecordTimes;
import io.airlock.streams.normalize.AbUserChangeNormalizer;
import io.airlock.streams.normalize.AbUserState;
import io.airlock.streams.normalize.AuditLogNormalizer;
import io.airlock.streams.normalize.DagRunNormalizer;
import io.airlock.streams.normalize.DagRunState;
import io.airlock.streams.normalize.SnapshotRowTimes;
import io.airlock.streams.normalize.VaultAuditNormalizer;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The one Airlock topology, built by a pure function so that {@code run}, {@code demo}, {@code backtest} and the tests
 * run the very same thing: CDC and Vault records are normalized onto {@code events}; rules read {@code events} and write
 * {@code alerts} — all but AL-022, which takes the same events from the normalizers before they reach {@code events}
 * ({@link SecretReadOutsideRunsRule} says why). Either way the rules count each event at the earlier of its {@code @timestamp}
 * and its record timestamp ({@link CountedTimes}).
 */
public final class AirlockTopology {

    private AirlockTopology() {
    }

    public static Topology build(DetectionConfig config, Topics topics) {
        var builder = new StreamsBuilder();
        KStream<String, NormalizedEvent> normalized = addNormalization(builder, topics, config);
        KStream<String, NormalizedEvent> events = CountedTimes.of(builder.stream(topics.events(),
                Consumed.with(Serdes.String(), JsonSerdes.events()).withName("events-source")
                        .withTimestampExtractor(new TrueRecordTimes())), "events-counted-times");
        UserAuthAlerts.addStore(builder);
        FailedLoginBurstRule.addTo(builder, events, config, topics);
        LoginAfterBurstRule.addTo(builder, events, config, topics);
        PasswordSprayRule.addTo(builder, events, config, topics);
        OffHoursChangeRule.addTo(builder, events, config, topics);
        OffHoursManualRunRule.addTo(builder, events, config, topics);
        AccountChangeRule.addTo(builder, events, config, topics);
        AuditTrailTamperingRule.addTo(builder, events, config, topics);
        FirstSeenSecretPathRule.addTo(builder, events, config, topics);
        SecretReadOutsideRunsRule.addTo(builder, normalized, config, topics);
        if (Stream.of(SecretHarvestingRule.RULE, DeniedAccessBurstRule.RULE, HumanPipelineSecretReadRule.RULE)
                .anyMatch(rule -> config.rule(rule).enabled())) {
            KStream<String, NormalizedEvent> vaultOperations = VaultSecretReads.operationsByIdentity(events, config);
            SecretHarvestingRule.addTo(builder, vaultOperations, config, topics);
            DeniedAccessBurstRule.addTo(builder, vaultOperations, config, topics);
            HumanPipelineSecretReadRule.addTo(builder, vaultOperations, config, topics);
        }
        return builder.build();
    }

    /**
     * Normalizers, one per source, each writing to {@code events} keyed by principal with the event's time as record
     * timestamp. Bad records throw {@link io.airlock.core.MalformedRecordException} and are dead-lettered by the configured
     * handler.
     *
     * <p>The four normalized streams are merged before the one sink, which makes the four sources one task: Kafka Streams
     * then takes their records in timestamp order (the lowest head first), so a backlog of one source does not run minutes
     * of event time ahead of the others on {@code events} — rules that compare sources (AL-022: Vault reads against DAG runs,
     * within its grace) see them interleaved as they happened, in a catch-up as live. Snapshot rows of {@code log} and
     * {@code dag_run} count at their rows' own times for that order ({@link SnapshotRowTimes}), Vault lines at the times
     * their capture wrote in a header if it raised their timestamps ({@link TrueRecordTimes}). On the way to {@code events},
     * an event older than the time retention allows is stamped later, its own time in the same header
     * ({@link RetainedRecordTimes}), which detection reads it by.
     *
     * @return the normalized events as they go to {@code events} (for AL-022, which must not take them from there)
     */
    private static KStream<String, NormalizedEvent> addNormalization(StreamsBuilder builder, Topics topics, DetectionConfig config) {
        builder.addStateStore(StateStores.onDisk(AbUserChangeNormalizer.STORE, JsonSerdes.of(AbUserState.class)));
        KStream<String, NormalizedEvent> abUser = builder.stream(topics.cdc("ab_user"), jsonFrom("cdc-ab-user-source"))
                .process(AbUserChangeNormalizer::new, Named.as("normalize-ab-user"), AbUserChangeNormalizer.STORE);

        builder.addStateStore(StateStores.inMemory(AuditLogNormalizer.STORE, Serdes.Long()));
        KStream<String, NormalizedEvent> log = builder.stream(topics.cdc("log"), jsonFrom("cdc-log-source")
                        .withTimestampExtractor(new SnapshotRowTimes("log")))
                .process(() -> new AuditLogNormalizer(config.minRetention()), Named.as("normalize-log"), AuditLogNormalizer.STORE);

        builder.addStateStore(StateStores.onDisk(DagRunNormalizer.STORE, JsonSerdes.of(DagRunState.class)));
        KStream<String, NormalizedEvent> dagRun = builder.stream(topics.cdc("dag_run"), jsonFrom("cdc-dag-run-source")
                        .withTimestampExtractor(new SnapshotRowTimes("dag_run")))
                .process(DagRunNormalizer::new, Named.as("normalize-dag-run"), DagRunNormalizer.STORE);

        KStream<String, NormalizedEvent> vault = builder.stream(topics.vaultAudit(), jsonFrom("vault-audit-source")
                        .withTimestampExtractor(new TrueRecordTimes()))
                .process(VaultAuditNormalizer::new, Named.as("normalize-vault-audit"));

        KStream<String, NormalizedEvent> normalized = abUser.merge(log, Named.as("merge-log-events"))
                .merge(dagRun, Named.as("merge-dag-run-events"))
                .merge(vault, Named.as("merge-vault-audit-events"));
        normalized.processValues(RetainedRecordTimes<String, NormalizedEvent>::new, Named.as("events-retained-times"))
                .to(topics.events(), toEvents("events-sink"));
        return normalized;
    }

    private static Consumed<String, JsonNode> jsonFrom(String sourceName) {
        return Consumed.with(Serdes.String(), JsonSerdes.tree()).withName(sourceName);
    }

    private static Produced<String, NormalizedEvent> toEvents(String sinkName) {
        return Produced.with(Serdes.String(), JsonSerdes.events()).withName(sinkName);
    }
}
