package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.TopologyFixture;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AbUserChangeNormalizerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldEmitOneFailedLoginPerIncrementOfFailLoginCountWithoutBeforeImages() {
        var alice = AbUserRow.of(1, "alice");
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        for (int i = 1; i <= 3; i++) {
            Instant at = T0.plusSeconds(i);
            fixture.abUser(alice, alice.failCount(i).update(at), at);
        }

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).hasSize(3).allSatisfy(e -> {
            assertThat(e.category()).isEqualTo("authentication");
            assertThat(e.outcome()).isEqualTo("failure");
            assertThat(e.userName()).isEqualTo("alice");
            assertThat(e.dataset()).isEqualTo("airflow.ab_user");
        });
        assertThat(events).extracting(NormalizedEvent::timestamp)
                .containsExactly(T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3));
        assertThat(events).extracting(NormalizedEvent::id).doesNotHaveDuplicates();
    }

    @Test
    void shouldEmitSuccessWhenLoginCountGrowsAndFailuresReset() {
        var bob = AbUserRow.of(2, "bob").loginCount(4);
        fixture.abUser(bob, bob.change("r", T0, null), T0);
        fixture.abUser(bob, bob.failCount(1).update(T0.plusSeconds(1)), T0.plusSeconds(1));
        fixture.abUser(bob, bob.failCount(0).loginCount(5).update(T0.plusSeconds(2)), T0.plusSeconds(2));

        assertThat(fixture.events()).extracting(NormalizedEvent::outcome).containsExactly("failure", "success");
    }

    @Test
    void shouldCountButMarkLoginsSecondsApartAsApiBasicAuth() {
        var api = AbUserRow.of(6, "etl-bot").loginCount(10);
        fixture.abUser(api, api.change("r", T0, null), T0);
        fixture.abUser(api, api.loginCount(11).update(T0.plusSeconds(600)), T0.plusSeconds(600));
        fixture.abUser(api, api.loginCount(12).update(T0.plusSeconds(605)), T0.plusSeconds(605));
        fixture.abUser(api, api.loginCount(13).update(T0.plusSeconds(610)), T0.plusSeconds(610));
        fixture.abUser(api, api.loginCount(14).update(T0.plusSeconds(1800)), T0.plusSeconds(1800));

        assertThat(fixture.events()).extracting(NormalizedEvent::outcome, NormalizedEvent::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("success", null),
                org.assertj.core.groups.Tuple.tuple("success", "api-basic-auth"),
                org.assertj.core.groups.Tuple.tuple("success", "api-basic-auth"),
                org.assertj.core.groups.Tuple.tuple("success", null));
    }

    @Test
    void shouldUseBeforeImageWhenNoStateIsKnown() {
        var before = AbUserRow.of(3, "carol").failCount(2);
        var after = AbUserRow.of(3, "carol").failCount(4);
        fixture.abUser(after, after.change("u", T0, before), T0);

        assertThat(fixture.events()).hasSize(2).allMatch(NormalizedEvent::isFailedLogin);
    }

    @Test
    void shouldReportNewAndDeactivatedAccountsButNotSnapshotRows() {
        var dave = AbUserRow.of(4, "dave");
        var erin = AbUserRow.of(5, "erin");
        fixture.abUser(erin, erin.change("r", T0, null), T0);
        fixture.abUser(dave, dave.change("c", T0.plusSeconds(1), null), T0.plusSeconds(1));
        fixture.abUser(erin, erin.active(false).update(T0.plusSeconds(2)), T0.plusSeconds(2));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::userName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("user-created", "dave"),
                        org.assertj.core.groups.Tuple.tuple("user-deactivated", "erin"));
    }

    @Test
    void shouldReportAnUpdateThatIsNoLoginAsAnEditOfTheAccount() {
        var frank = AbUserRow.of(7, "frank").loginCount(3);
        fixture.abUser(frank, frank.change("r", T0, null), T0);
        fixture.abUser(frank, frank.failCount(1).update(T0.plusSeconds(1)), T0.plusSeconds(1));
        fixture.abUser(frank, frank.failCount(0).loginCount(4).update(T0.plusSeconds(2)), T0.plusSeconds(2));
        fixture.abUser(frank, frank.update(T0.plusSeconds(3)), T0.plusSeconds(3)); // the password, not captured
        fixture.abUser(frank, frank.email("attacker@evil.example").update(T0.plusSeconds(4)), T0.plusSeconds(4));
        fixture.abUser(frank, frank.username("frank2").loginCount(5).update(T0.plusSeconds(5)), T0.plusSeconds(5));
        fixture.abUser(frank, frank.active(false).update(T0.plusSeconds(6)), T0.plusSeconds(6));

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).extracting(NormalizedEvent::action, NormalizedEvent::reason, NormalizedEvent::userName)
                .containsExactly(tuple("login", null, "frank"), tuple("login", null, "frank"),
                        tuple("user-modified", "other-columns-changed", "frank"),
                        tuple("user-modified", "name-or-email-changed", "frank"),
                        tuple("login", "api-basic-auth", "frank2"), tuple("user-modified", "username-changed", "frank2"),
                        tuple("user-deactivated", null, "frank2"));
        assertThat(events.get(5).relatedUsers()).containsExactly("frank2", "frank");
        assertThat(events).extracting(NormalizedEvent::id).doesNotHaveDuplicates();
    }

    @Test
    void shouldTakeTwoLoginsAtOnceThatWroteTheSameCountForLoginsNotAnEdit() {
        var api = AbUserRow.of(9, "etl-bot").loginCount(7).lastLogin(T0);
        fixture.abUser(api, api.change("r", T0, null), T0);
        fixture.abUser(api, api.loginCount(8).lastLogin(T0.plusSeconds(10)).update(T0.plusSeconds(10)), T0.plusSeconds(10));
        // the second of two concurrent logins: Flask-AppBuilder wrote login_count = 8 again, with its own last_login
        fixture.abUser(api, api.lastLogin(T0.plusSeconds(10).plusMillis(3)).update(T0.plusSeconds(10).plusMillis(3)),
                T0.plusSeconds(10).plusMillis(3));
        fixture.abUser(api, api.update(T0.plusSeconds(20)), T0.plusSeconds(20)); // nothing a login changes: an edit

        assertThat(fixture.events()).extracting(NormalizedEvent::action).containsExactly("login", "user-modified");
    }

    @Test
    void shouldTakeAChangeDeliveredAgainAfterACrashForNothingNotForAnEdit() {
        var dave = AbUserRow.of(10, "dave");
        fixture.abUser(dave, dave.change("r", T0, null), T0);
        String failure = dave.failCount(1).update(T0.plusSeconds(1));
        String edit = dave.update(T0.plusSeconds(60));
        fixture.abUser(dave, failure, T0.plusSeconds(1));
        fixture.abUser(dave, edit, T0.plusSeconds(60));
        // the capture restarts from an older offset and sends both again
        fixture.abUser(dave, failure, T0.plusSeconds(1));
        fixture.abUser(dave, edit, T0.plusSeconds(60));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::outcome)
                .containsExactly(tuple("login", "failure"), tuple("user-modified", "success"));
    }

    @Test
    void shouldCountParallelWrongPasswordsThatWroteTheSameCountAsFailedLoginsNotEdits() {
        // four requests at a time: each read the count, checked the hash and wrote count + 1 — the same value four times
        var alice = AbUserRow.of(11, "alice");
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        Instant at = T0.plusSeconds(60);
        for (int batch = 1; batch <= 4; batch++) {
            for (int request = 0; request < 4; request++) {
                at = at.plusMillis(150);
                fixture.abUser(alice, alice.failCount(batch).update(at), at);
            }
        }

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).hasSize(16).allMatch(NormalizedEvent::isFailedLogin);
        assertThat(events).filteredOn(e -> AbUserChangeNormalizer.REASON_PARALLEL_ATTEMPT.equals(e.reason())).hasSize(12);
        var alerts = fixture.alertUpdates();
        assertThat(alerts).extracting(a -> a.ruleId()).doesNotContain("AL-012");
        assertThat(alerts).filteredOn(a -> a.ruleId().equals("AL-001")).last()
                .satisfies(a -> assertThat(a.count()).isEqualTo(16));
    }

    @Test
    void shouldCountAParallelWrongPasswordThatWroteASmallerCountAfterAFasterOneAsAFailedLogin() {
        // A reads 0; B writes 1; C reads 1 and writes 2; A writes 1; D reads 1 and writes 2; E reads 2 and writes 3
        var dana = AbUserRow.of(16, "dana");
        fixture.abUser(dana, dana.change("r", T0, null), T0);
        Instant at = T0.plusSeconds(60);
        for (int count : new int[] {1, 2, 1, 2, 3}) {
            at = at.plusMillis(150);
            fixture.abUser(dana, dana.failCount(count).update(at), at);
        }

        List<NormalizedEvent> events = fixture.events();
        assertThat(events).hasSize(5).allMatch(NormalizedEvent::isFailedLogin);
        assertThat(events).extracting(NormalizedEvent::reason).containsExactly(null, null, "parallel-attempt", null, null);
        assertThat(fixture.alertUpdates()).extracting(a -> a.ruleId()).containsOnly("AL-001");
    }

    @Test
    void shouldStillReportTheSameCountWrittenLongAfterAFailedLoginAsAnEdit() {
        // a password reset writes no captured column; minutes after the last wrong password it is no racing attempt
        var carol = AbUserRow.of(12, "carol");
        fixture.abUser(carol, carol.change("r", T0, null), T0);
        fixture.abUser(carol, carol.failCount(1).update(T0.plusSeconds(1)), T0.plusSeconds(1));
        fixture.abUser(carol, carol.update(T0.plusSeconds(1).plus(AbUserChangeNormalizer.PARALLEL_ATTEMPT_SPACING).plusMillis(1)),
                T0.plusSeconds(7));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::reason)
                .containsExactly(tuple("login", null), tuple("user-modified", "other-columns-changed"));
    }

    @Test
    void shouldNotTakeTheFirstChangeAfterASnapshotAtTheSnapshotsLsnForOneDeliveredAgain() {
        // the snapshot is read at the WAL position where the next record goes: the first change after it has that LSN
        var bob = AbUserRow.of(13, "bob").loginCount(2);
        String snapshot = bob.change("r", T0, null);
        long snapshotLsn = Json.tree(snapshot).path("source").path("lsn").asLong();
        String login = withLsn(bob.loginCount(3).lastLogin(T0.plusSeconds(5)).update(T0.plusSeconds(5)), snapshotLsn);
        fixture.abUser(bob, snapshot, T0);
        fixture.abUser(bob, login, T0.plusSeconds(5));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::outcome)
                .containsExactly(tuple("login", "success"));
    }

    private static String withLsn(String change, long lsn) {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(change);
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("source")).put("lsn", lsn);
        return Json.writeString(tree);
    }

    @Test
    void shouldNameTheDeletedUserWhenDebeziumFilledTheKeyOnlyBeforeImageWithEmptyValues() {
        // REPLICA IDENTITY DEFAULT: Debezium gives the NOT NULL columns a delete does not carry their type's default
        var trent = AbUserRow.of(14, "trent");
        fixture.abUser(trent, trent.change("r", T0, null), T0);
        long ms = T0.plusSeconds(1).toEpochMilli();
        fixture.abUserRaw(trent.key(), "{\"before\":{\"id\":14,\"first_name\":\"\",\"last_name\":\"\",\"username\":\"\","
                + "\"email\":\"\",\"active\":null,\"login_count\":null,\"fail_login_count\":null},\"after\":null,"
                + "\"source\":{\"connector\":\"postgresql\",\"db\":\"airflow\",\"table\":\"ab_user\",\"ts_ms\":" + ms
                + ",\"lsn\":99999},\"op\":\"d\",\"ts_ms\":" + ms + "}", T0.plusSeconds(1));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::userName)
                .containsExactly(tuple("user-deleted", "trent"));
        assertThat(fixture.deadLetters()).isEmpty();
        assertThat(fixture.alertUpdates()).extracting(a -> a.ruleId()).contains("AL-012");
    }

    @Test
    void shouldNotCallAnUpdateOfARowNeverSeenAnEdit() {
        var grace = AbUserRow.of(8, "grace").loginCount(2);
        fixture.abUser(grace, grace.update(T0), T0);

        assertThat(fixture.events()).isEmpty();
    }

    @Test
    void shouldNameTheDeletedUserWhenTheDeleteCarriesOnlyTheKey() {
        var peggy = AbUserRow.of(15, "peggy");
        fixture.abUser(peggy, peggy.change("r", T0, null), T0);
        fixture.abUserRaw(peggy.key(), keyOnlyDelete(15, T0.plusSeconds(1)), T0.plusSeconds(1));

        assertThat(fixture.events()).extracting(NormalizedEvent::action, NormalizedEvent::userName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("user-deleted", "peggy"));
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void shouldDeadLetterAKeyOnlyDeleteOfARowNeverSeenWithItsReason() {
        fixture.abUserRaw("{\"id\":16}", keyOnlyDelete(16, T0), T0);

        assertThat(fixture.events()).isEmpty();
        assertThat(fixture.deadLetters()).singleElement()
                .satisfies(l -> assertThat(Json.tree(l).get("reason").asText()).contains("ab_user row", "REPLICA IDENTITY DEFAULT"));
    }

    private static String keyOnlyDelete(int id, Instant at) {
        return "{\"before\":{\"id\":" + id + "},\"after\":null,\"source\":{\"connector\":\"postgresql\",\"db\":\"airflow\","
                + "\"table\":\"ab_user\",\"ts_ms\":" + at.toEpochMilli() + ",\"lsn\":99}," + "\"op\":\"d\",\"ts_ms\":" + at.toEpochMilli() + "}";
    }

    @Test
    void shouldGiveTheSameEventIdsWhenTheSameChangesAreReplayed() {
        var alice = AbUserRow.of(1, "alice");
        String snapshot = alice.change("r", T0, null);
        String failure = alice.failCount(1).update(T0.plusSeconds(1));
        fixture.abUser(alice, snapshot, T0);
        fixture.abUser(alice, failure, T0.plusSeconds(1));
        List<NormalizedEvent> first = fixture.events();

        try (var replay = new TopologyFixture()) {
            replay.abUser(alice, snapshot, T0);
            replay.abUser(alice, failure, T0.plusSeconds(1));
            assertThat(replay.events()).extracting(NormalizedEvent::id).isEqualTo(first.stream().map(NormalizedEvent::id).toList());
        }
    }

    @Test
    void shouldDeadLetterMalformedChangesWithTheirPositionAndKeepGoing() {
        var alice = AbUserRow.of(1, "alice");
        fixture.abUserRaw("{\"id\":1}", "{\"op\":\"x\",\"after\":{},\"source\":{\"ts_ms\":1}}", T0);
        fixture.abUserRaw("{\"id\":1}", "{\"op\":\"u\",\"after\":{\"username\":\"alice\",\"fail_login_count\":\"many\"},"
                + "\"source\":{\"ts_ms\":1,\"table\":\"ab_user\"}}", T0);
        fixture.abUserRaw("{\"id\":1}", "{\"op\":\"u\",\"after\":{\"username\":\"alice\"}}", T0);
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        fixture.abUser(alice, alice.failCount(1).update(T0.plusSeconds(1)), T0.plusSeconds(1));

        List<String> letters = fixture.deadLetters();
        assertThat(letters).hasSize(3);
        assertThat(letters).allSatisfy(l -> {
            var node = Json.tree(l);
            assertThat(node.get("source_topic").asText()).isEqualTo("airlock.cdc.airflow.ab_user");
            assertThat(node.get("reason").asText()).isNotBlank();
        });
        assertThat(letters).extracting(l -> Json.tree(l).get("offset").asLong()).as("the malformed records' own offsets")
                .containsExactly(0L, 1L, 2L);
        assertThat(Json.tree(letters.get(1)).get("reason").asText()).contains("fail_login_count");
        assertThat(fixture.events()).hasSize(1).allMatch(NormalizedEvent::isFailedLogin);
    }

    /** A change committed before 1970 (a database clock reset) has no time to go by: dead-lettered, and the next one counts it. */
    @Test
    void shouldDeadLetterAChangeCommittedBefore1970AndKeepGoing() {
        var alice = AbUserRow.of(1, "alice");
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        fixture.abUser(alice, alice.failCount(1).update(Instant.ofEpochMilli(-1_000)), Instant.EPOCH);
        fixture.abUser(alice, alice.failCount(2).update(T0.plusSeconds(2)), T0.plusSeconds(2));

        assertThat(fixture.deadLetters()).singleElement().satisfies(letter ->
                assertThat(Json.tree(letter).get("reason").asText()).contains("before 1970-01-01", "source.ts_ms", "-1000"));
        assertThat(fixture.events()).as("the count went from 0 to 2: two failures, now").hasSize(2).allSatisfy(e -> {
            assertThat(e.isFailedLogin()).isTrue();
            assertThat(e.timestamp()).isEqualTo(T0.plusSeconds(2));
        });
    }
}
