package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.StableIds;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import io.airlock.streams.internal.DecodedStateCache;

/**
 * Turns {@code ab_user} change events into authentication and account events, keyed by user name.
 *
 * <p>Flask-AppBuilder records a wrong password only by incrementing {@code fail_login_count} and a successful login by
 * incrementing {@code login_count} (resetting {@code fail_login_count}). Updates carry no old values with the default replica
 * identity, so the last seen counters of each row are kept in {@link #STORE}; each increment of {@code fail_login_count}
 * becomes one failed-login event. Snapshot rows only prime that state.
 *
 * <p>Parallel wrong passwords (a brute force with several requests at once) each write the count they read plus one, so
 * the same count arrives again: within seconds of a failed login that is one more failed login
 * ({@value #REASON_PARALLEL_ATTEMPT}), not an edit. Snapshot rows keep no LSN: the first change streamed after a snapshot
 * may carry the LSN the snapshot was read at.
 *
 * <p>Every other update of a known row is an administrative edit, {@code user-modified}: a login changes a counter or
 * {@code last_login}, so an update that changes neither (and no {@code active} flag) set something else — the password (excluded at capture, so only
 * the update is seen), the name, the e-mail or the user name ({@code event.reason} says which:
 * {@value #REASON_RENAMED}, {@value #REASON_PROFILE}, {@value #REASON_OTHER_COLUMNS}). A rename is reported with its
 * login counts too; the old name is the second of {@code related.user}.
 */
public final class AbUserChangeNormalizer implements Processor<String, JsonNode, String, NormalizedEvent> {

    public static final String STORE = "ab-user-last-seen";

    /**
     * Successful logins of one user closer together than this are marked {@code event.reason=api-basic-auth}: Airflow 2.x
     * REST basic auth counts every API call as a login, people do not log in twice a minute. They are still counted.
     */
    public static final java.time.Duration API_LOGIN_SPACING = java.time.Duration.ofSeconds(60);
    public static final String REASON_API_BASIC_AUTH = "api-basic-auth";
    /**
     * How soon after a failed login the same count written again is another failed login that raced it (see
     * {@link #isRacingFailedLogin}): a password check takes well under a second, parallel attempts land within it.
     */
    public static final java.time.Duration PARALLEL_ATTEMPT_SPACING = java.time.Duration.ofSeconds(5);
    /** {@code event.reason} of a failed login seen only as its count written again ({@link #PARALLEL_ATTEMPT_SPACING}). */
    public static final String REASON_PARALLEL_ATTEMPT = "parallel-attempt";
    public static final String ACTION_MODIFIED = "user-modified";
    public static final String REASON_RENAMED = "username-changed";
    public static final String REASON_PROFILE = "name-or-email-changed";
    public static final String REASON_OTHER_COLUMNS = "other-columns-changed";

    private ProcessorContext<String, NormalizedEvent> context;
    private final EventRecordTimes recordTimes = new EventRecordTimes();
    private DecodedStateCache<AbUserState> lastSeen;

    @Override
    public void init(ProcessorContext<String, NormalizedEvent> context) {
        this.context = context;
        this.lastSeen = new DecodedStateCache<>(context.<KeyValueStore<String, AbUserState>>getStateStore(STORE),
                DagRunNormalizer.NORMALIZER_CACHE_ENTRIES);
    }

    @Override
    public void process(Record<String, JsonNode> record) {
        DebeziumChange change = DebeziumChange.parse(record.value());
        if (change.isTruncate()) {
            NormalizedEvent truncated = AuditTrailChanges.truncated(change, NormalizedEvent.DATASET_AB_USER);
            context.forward(record.withKey(truncated.principal()).withValue(truncated)
                    .withTimestamp(recordTimes.of(truncated, context.currentSystemTimeMs())));
            return;
        }
        String rowKey = record.key() != null ? record.key() : change.row().path("id").asText();
        AbUserState previous = lastSeen.get(rowKey);
        if (previous == null && hasUsername(change.before())) {
            previous = AbUserState.fromRow(change.before());
        }
        switch (change.op()) {
            case "r" -> lastSeen.put(rowKey, AbUserState.fromRow(change.after()));
            case "c" -> {
                AbUserState created = AbUserState.fromRow(change.after()).at(change.lsn());
                lastSeen.put(rowKey, created);
                emit(record, change, rowKey, "iam", "user-created", NormalizedEvent.OUTCOME_SUCCESS, created.username(), 0, null);
            }
            case "u" -> update(record, change, rowKey, previous, AbUserState.fromRow(change.after()));
            case "d" -> {
                String username = deletedUser(change, rowKey, previous);
                lastSeen.delete(rowKey);
                emit(record, change, rowKey, "iam", "user-deleted", NormalizedEvent.OUTCOME_SUCCESS, username, 0, null);
            }
            default -> throw new IllegalStateException("validated by DebeziumChange: " + change.op());
        }
    }

    /**
     * Whether a before image names the user: with the default replica identity Debezium fills the columns a delete does not
     * carry with their type's default, so {@code username} is then {@code ""}.
     */
    private static boolean hasUsername(JsonNode row) {
        return row != null && row.path("username").isTextual() && !row.path("username").asText().isEmpty();
    }

    /**
     * The user name of a deleted row: from the before image if it has one (REPLICA IDENTITY FULL), else as last seen — with
     * the default replica identity a delete carries only the key.
     */
    private static String deletedUser(DebeziumChange change, String rowKey, AbUserState previous) {
        if (hasUsername(change.before())) {
            return AbUserState.fromRow(change.before()).username();
        }
        if (previous != null) {
            return previous.username();
        }
        throw new MalformedRecordException("ab_user row " + rowKey + " was deleted, but its user name is neither in the change "
                + "(with REPLICA IDENTITY DEFAULT a delete carries only the key) nor known from an earlier change of the row");
    }

    private void update(Record<String, JsonNode> record, DebeziumChange change, String rowKey, AbUserState previous, AbUserState updated) {
        if (previous != null && previous.alreadyApplied(change.lsn())) {
            return; // delivered again (the capture is at least once): its events were emitted the first time
        }
        AbUserState current = previous == null ? updated.at(change.lsn())
                : updated.withLastSuccessAt(previous.lastSuccessAt()).withLastFailureAt(previous.lastFailureAt()).at(change.lsn());
        long failures;
        long successes;
        if (previous == null) {
            // First sight of this row without a before image: one step is the most that can be inferred.
            failures = current.failLoginCount() > 0 ? 1 : 0;
            successes = 0;
        } else {
            failures = Math.max(0, current.failLoginCount() - previous.failLoginCount());
            successes = Math.max(0, current.loginCount() - previous.loginCount());
        }
        boolean racingFailure = previous != null && failures == 0 && successes == 0
                && isRacingFailedLogin(previous, current, change.committed());
        if (racingFailure) {
            failures = 1;
        }
        if (failures > 0) {
            current = current.withLastFailureAt(change.committed());
        }
        int ordinal = 0;
        for (long i = 0; i < failures; i++) {
            emit(record, change, rowKey, "authentication", "login", NormalizedEvent.OUTCOME_FAILURE, current.username(), ordinal++,
                    racingFailure ? REASON_PARALLEL_ATTEMPT : null);
        }
        for (long i = 0; i < successes; i++) {
            Instant last = current.lastSuccessAt();
            boolean apiLike = i > 0 || last != null && change.committed().isBefore(last.plus(API_LOGIN_SPACING));
            emit(record, change, rowKey, "authentication", "login", NormalizedEvent.OUTCOME_SUCCESS, current.username(), ordinal++,
                    apiLike ? REASON_API_BASIC_AUTH : null);
            current = current.withLastSuccessAt(change.committed());
        }
        lastSeen.put(rowKey, current);
        if (previous == null) {
            return;
        }
        boolean activeChanged = previous.active() != current.active();
        if (activeChanged) {
            emit(record, change, rowKey, "iam", current.active() ? "user-activated" : "user-deactivated",
                    NormalizedEvent.OUTCOME_SUCCESS, current.username(), ordinal++, null);
        }
        String edit = editReason(previous, current, failures + successes > 0 || activeChanged || current.loginTimeDiffers(previous));
        if (edit != null) {
            List<String> names = previous.username().equals(current.username())
                    ? List.of(current.username()) : List.of(current.username(), previous.username());
            emit(record, change, rowKey, "iam", ACTION_MODIFIED, NormalizedEvent.OUTCOME_SUCCESS, names, ordinal, edit);
        }
    }

    /**
     * Whether an update that changed nothing captured is one of parallel wrong passwords rather than an edit: a failed-login
     * count above zero that did not grow (the same count, or a smaller one that lost the race), written within
     * {@link #PARALLEL_ATTEMPT_SPACING} of the row's last failed login.
     * A password reset writes the same (the password is not captured); one within seconds of a failed login of the same
     * account is counted as a failed login instead — the lesser error, since the other way round a brute force with four
     * parallel requests counted a quarter of its attempts, stayed below AL-001, and was reported as account edits.
     */
    private static boolean isRacingFailedLogin(AbUserState previous, AbUserState current, Instant committed) {
        Instant lastFailure = previous.lastFailureAt();
        return lastFailure != null && previous.failedLoginCountWrittenAgain(current)
                && !committed.isAfter(lastFailure.plus(PARALLEL_ATTEMPT_SPACING));
    }

    /** Why an update is an edit of the account, or null when it is not one (a login, a failed login, an activation). */
    private static String editReason(AbUserState previous, AbUserState current, boolean explained) {
        if (!previous.username().equals(current.username())) {
            return REASON_RENAMED;
        }
        if (current.profileDiffers(previous)) {
            return REASON_PROFILE;
        }
        return explained ? null : REASON_OTHER_COLUMNS;
    }

    private void emit(Record<String, JsonNode> record, DebeziumChange change, String rowKey, String category, String action,
            String outcome, String username, int ordinal, String reason) {
        emit(record, change, rowKey, category, action, outcome, List.of(username), ordinal, reason);
    }

    /** Emits one event of the account {@code users.get(0)}; the rest of {@code users} are its {@code related.user}. */
    private void emit(Record<String, JsonNode> record, DebeziumChange change, String rowKey, String category, String action,
            String outcome, List<String> users, int ordinal, String reason) {
        String username = users.get(0);
        String id = StableIds.of(NormalizedEvent.DATASET_AB_USER, change.position(), rowKey, change.op(), Integer.toString(ordinal));
        NormalizedEvent event = NormalizedEvent.builder(change.committed(), id, NormalizedEvent.DATASET_AB_USER)
                .category(category)
                .action(action)
                .outcome(outcome)
                .reason(reason)
                .userName(username)
                .relatedUsers(users)
                .sourcePosition(change.source(), change.lsn())
                .build();
        context.forward(record.withKey(username).withValue(event)
                .withTimestamp(recordTimes.of(event, context.currentSystemTimeMs())));
    }
}
