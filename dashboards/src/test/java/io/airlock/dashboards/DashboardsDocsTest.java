package io.airlock.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.streams.detect.RuleDefinition;
import io.airlock.streams.normalize.EventCategories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The KQL that docs/dashboards.md gives analysts to type into Discover finds what its text says: only mapped fields, and
 * the distinctions the rules make (AL-013's events have no user either; AL-002's entity is the deployment, not a user).
 */
class DashboardsDocsTest {

    private static final Path DOC = Path.of("..", "docs", "dashboards.md");
    private static final Pattern CODE_BLOCK = Pattern.compile("```.*?```", Pattern.DOTALL);
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern BOOLEAN = Pattern.compile("( and | or |^not )");
    private static final Pattern RULE_ID = Pattern.compile("\"(AL-\\d{3})\"");

    private final String doc = read();
    private final List<String> queries = queries(doc);

    @Test
    void shouldQueryOnlyFieldsTheIndexTemplatesMap() {
        assertThat(queries).hasSizeGreaterThan(5);
        Set<String> mapped = new TreeSet<>(IndexMappings.events().fields().keySet());
        mapped.addAll(IndexMappings.alerts().fields().keySet());
        for (String query : queries) {
            assertThat(FieldUse.kqlFields(query)).as(query).allSatisfy(field -> assertThat(mapped).contains(field));
        }
    }

    @Test
    void shouldLeaveAl013sDatabaseEventsOutOfTheChangesWithoutAUser() {
        // audit rows deleted or rewritten, truncates and the start of airflow db clean are airflow.log events without a user
        List<String> withoutUser = queries.stream()
                .filter(q -> q.contains("event.dataset:\"airflow.log\"") && q.contains("not user.name:*")).toList();
        assertThat(withoutUser).isNotEmpty().allSatisfy(q ->
                assertThat(q).contains("not event.category:\"" + EventCategories.DATABASE + "\""));
    }

    @Test
    void shouldFilterAlertsByRuleWheneverTheyAreFilteredByEntity() {
        // AL-002's entity is the deployment, "airflow", also the name of docker-compose's default admin
        List<String> byEntity = queries.stream().filter(q -> FieldUse.kqlFields(q).contains("entity")).toList();
        assertThat(byEntity).isNotEmpty().allSatisfy(q -> assertThat(FieldUse.kqlFields(q)).contains("rule.id"));
        assertThat(byEntity).contains("rule.id:\"" + RuleDefinition.PASSWORD_SPRAY.id() + "\" and entity:\"airflow\"");
    }

    @Test
    void shouldFindAUsersAlertsOfEveryRuleThatCanNameOne() {
        // alerts carry no user field: the recipe lists, per rule, where the user is (entity, summary, Vault identity)
        Set<String> named = new TreeSet<>();
        for (String query : queries) {
            List<String> fields = FieldUse.kqlFields(query);
            if (fields.contains("rule.id") && (fields.contains("entity") || fields.contains("summary"))) {
                Matcher m = RULE_ID.matcher(query);
                while (m.find()) {
                    named.add(m.group(1));
                }
            }
        }
        Set<String> expected = new TreeSet<>();
        RuleDefinition.CATALOGUE.forEach(r -> expected.add(r.id()));
        expected.remove(RuleDefinition.AUDIT_TRAIL_TAMPERING.id()); // its entity is a table, its events have no user
        assertThat(named).isEqualTo(expected);
    }

    @Test
    void shouldWarnThatTheDefaultRangeHidesAlertsAboutOldEvents() {
        // an alert's @timestamp is its last_seen (event time): one raised after an outage is dated before the range
        assertThat(SavedObjects.objects()).filteredOn(o -> o.path("type").asText().equals("dashboard"))
                .allSatisfy(d -> assertThat(d.path("attributes").path("timeFrom").asText()).isEqualTo("now-24h"));
        assertThat(String.join(" ", doc.split("\\s+"))).contains("## Time range: alerts are dated by their events",
                "open on the last 24 hours", "`@timestamp` is the time of its events (its `last_seen`, event time)",
                "After an outage, widen the time picker");
    }

    /** KQL in the doc: inline code outside code blocks with a field and a boolean operator, wrapped lines joined. */
    private static List<String> queries(String doc) {
        List<String> queries = new ArrayList<>();
        Matcher m = CODE_SPAN.matcher(CODE_BLOCK.matcher(doc).replaceAll(""));
        while (m.find()) {
            String span = String.join(" ", m.group(1).trim().split("\\s+"));
            if (!FieldUse.kqlFields(span).isEmpty() && BOOLEAN.matcher(span).find()) {
                queries.add(span);
            }
        }
        return queries;
    }

    private static String read() {
        try {
            return Files.readString(DOC, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
