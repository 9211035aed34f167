package io.airlock.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.alerting.AlertLinks;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.streams.detect.AirflowChangeEvents;
import io.airlock.streams.normalize.AuditLogNormalizer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The saved objects are well-formed OpenSearch Dashboards 2.x objects whose references all resolve inside the set. */
class SavedObjectsTest {

    /** The rule ids of DESIGN.md, "Detection rules". */
    private static final List<String> RULES =
            List.of("AL-001", "AL-002", "AL-003", "AL-010", "AL-011", "AL-012", "AL-020", "AL-021", "AL-022", "AL-023", "AL-024");
    private static final Set<String> TYPES = Set.of("index-pattern", "search", "visualization", "dashboard");

    private final List<ObjectNode> objects = SavedObjects.objects();
    private final Map<String, ObjectNode> byKey = objects.stream()
            .collect(Collectors.toMap(SavedObjectsTest::key, Function.identity()));

    @Test
    void shouldShipExactlyTheListedResourceFiles() throws URISyntaxException, java.io.IOException {
        Path dir = Path.of(SavedObjects.class.getResource("/dashboards/").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(SavedObjects.FILES);
        }
    }

    @Test
    void shouldHaveUniqueIdsTitlesAndKnownTypes() {
        assertThat(objects).hasSizeGreaterThan(30);
        assertThat(byKey).hasSameSizeAs(objects);
        for (ObjectNode o : objects) {
            assertThat(TYPES).as(key(o)).contains(o.path("type").asText());
            assertThat(o.path("attributes").path("title").asText()).as("title of %s", key(o)).isNotBlank();
            assertThat(o.path("migrationVersion").has(o.path("type").asText())).as("migrationVersion of %s", key(o)).isTrue();
        }
    }

    @Test
    void shouldResolveEveryReferenceInsideTheSet() {
        for (ObjectNode o : objects) {
            Set<String> names = new HashSet<>();
            for (JsonNode ref : o.path("references")) {
                assertThat(names.add(ref.path("name").asText())).as("duplicate reference name in %s", key(o)).isTrue();
                assertThat(byKey).as("%s references %s", key(o), ref).containsKey(ref.path("type").asText() + ":" + ref.path("id").asText());
            }
            JsonNode source = FieldUse.tree(o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText("{}"));
            if (source.has("indexRefName")) {
                assertThat(names).as("indexRefName of %s", key(o)).contains(source.path("indexRefName").asText());
            }
            if (o.path("attributes").has("savedSearchRefName")) {
                assertThat(names).as("savedSearchRefName of %s", key(o)).contains(o.path("attributes").path("savedSearchRefName").asText());
            }
        }
    }

    @Test
    void shouldGiveEveryVisualizationAParsableVisStateAndOneDataSource() {
        for (ObjectNode v : ofType("visualization")) {
            JsonNode visState = FieldUse.tree(v.path("attributes").path("visState").asText());
            assertThat(visState.path("title").asText()).isEqualTo(v.path("attributes").path("title").asText());
            assertThat(visState.path("type").asText()).isIn("histogram", "line", "area", "table", "metric", "pie", "heatmap");
            assertThat(visState.path("aggs").size()).as(key(v)).isPositive();
            FieldUse.tree(v.path("attributes").path("uiStateJSON").asText());
            assertThat(v.path("references").size()).as("one index pattern or one saved search: %s", key(v)).isEqualTo(1);
        }
    }

    @Test
    void shouldLayOutEveryDashboardPanelOnTheGridWithItsReference() {
        for (ObjectNode d : ofType("dashboard")) {
            JsonNode panels = FieldUse.tree(d.path("attributes").path("panelsJSON").asText());
            Set<String> refNames = new HashSet<>();
            d.path("references").forEach(r -> refNames.add(r.path("name").asText()));
            Set<String> panelIndexes = new HashSet<>();
            assertThat(panels.size()).as(key(d)).isGreaterThanOrEqualTo(4);
            for (JsonNode p : panels) {
                assertThat(refNames).as("panel of %s", key(d)).contains(p.path("panelRefName").asText());
                assertThat(panelIndexes.add(p.path("panelIndex").asText())).isTrue();
                JsonNode grid = p.path("gridData");
                assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("panel width in %s", key(d)).isLessThanOrEqualTo(48);
                assertThat(grid.path("i").asText()).isEqualTo(p.path("panelIndex").asText());
            }
            assertThat(refNames).hasSize(panels.size());
        }
    }

    @Test
    void shouldProvideTheFourSocDashboards() {
        assertThat(SavedObjects.dashboardTitles())
                .containsExactly("Airlock overview", "Authentication", "Airflow changes", "Vault secret access");
    }

    @Test
    void shouldProvideIndexPatternsOnTimestamp() {
        assertThat(ofType("index-pattern")).extracting(o -> o.path("attributes").path("title").asText())
                .containsExactly("airlock-events-*", "airlock-alerts");
        assertThat(ofType("index-pattern")).allSatisfy(p ->
                assertThat(p.path("attributes").path("timeFieldName").asText()).isEqualTo("@timestamp"));
    }

    @Test
    void shouldProvideAnEvidenceSearchOnTheEventsForEveryRule() {
        for (String rule : RULES) {
            ObjectNode search = byKey.get("search:airlock-evidence-" + rule.toLowerCase(java.util.Locale.ROOT));
            assertThat(search).as("evidence search of %s", rule).isNotNull();
            assertThat(search.path("attributes").path("title").asText()).startsWith(rule + " evidence: ");
            assertThat(search.path("attributes").path("columns").size()).isPositive();
            assertThat(FieldUse.indexPatternOf(search, Map.of())).isEqualTo(SavedObjects.EVENTS_INDEX_PATTERN);
            assertThat(FieldUse.queryFields(search.path("attributes"))).isNotEmpty();
        }
    }

    @Test
    void shouldDescribeTheAl013EvidenceByTheConfiguredMinimumRetention() {
        String description = byKey.get("search:airlock-evidence-al-013").path("attributes").path("description").asText();
        assertThat(description).as("deletes are retention by rules.AL-013.min-retention, not by a fixed day")
                .contains("rules.AL-013.min-retention").doesNotContain("day-old");
    }

    @Test
    void shouldCountVaultOperationsNotAuditLines() {
        // A Vault operation is a request line and a response line: searches and panels about Vault, or about logins of any
        // source, keep the responses only.
        for (ObjectNode o : objects) {
            String query = FieldUse.tree(o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText("{}"))
                    .path("query").path("query").asText("");
            boolean anySourceLogins = query.contains("event.category:\"authentication\"") && !query.startsWith("event.dataset:\"airflow.");
            if (query.contains("\"vault.audit\"") || anySourceLogins) {
                assertThat(query).as(key(o)).contains("vault.audit_type:\"response\"");
            }
        }
    }

    @Test
    void shouldCountAFailedVaultLoginOnceInTheFailedLoginPanels() {
        // Vault writes a failed login's error on its request line and again on its response line; Airflow events have no
        // vault.audit_type, so the restriction must leave them in
        for (String vis : List.of("visualization:airlock-vis-failed-logins-over-time", "visualization:airlock-vis-failed-logins-top-users")) {
            assertThat(rawQuery(vis)).as(vis).isEqualTo("event.category:\"authentication\" and event.outcome:\"failure\""
                    + " and (not event.dataset:\"vault.audit\" or vault.audit_type:\"response\")");
        }
    }

    @Test
    void shouldRetitleIndexPatternsForAnotherIndexPrefixKeepingIds() {
        List<JsonNode> lines = SavedObjects.ndjson(new IndexNames("acme")).lines().map(l -> FieldUse.tree(l)).toList();
        assertThat(lines).hasSameSizeAs(objects);
        assertThat(lines).filteredOn(l -> l.path("type").asText().equals("index-pattern"))
                .extracting(l -> l.path("id").asText() + "=" + l.path("attributes").path("title").asText())
                .containsExactly("airlock-events=acme-events-*", "airlock-alerts=acme-alerts");
        assertThat(SavedObjects.ndjson(IndexNames.defaults()).lines().map(l -> FieldUse.tree(l)).toList())
                .isEqualTo(objects.stream().map(o -> (JsonNode) o).toList());
        assertThat(Json.writeString(lines.get(0))).doesNotContain("\n");
    }

    @Test
    void shouldKeepTheIndexPatternIdsThatAlertLinksOpen() {
        assertThat(AlertLinks.EVENTS_INDEX_PATTERN_ID).isEqualTo(SavedObjects.EVENTS_INDEX_PATTERN);
        assertThat(AlertLinks.ALERTS_INDEX_PATTERN_ID).isEqualTo(SavedObjects.ALERTS_INDEX_PATTERN);
        assertThat(AlertLinks.of(null, null, new IndexNames("acme")).alertsIndexPatternId()).isEqualTo(SavedObjects.ALERTS_INDEX_PATTERN);
    }

    @Test
    void shouldSearchTheChangeEventsAl010CountsWithAndWithoutTheirPrefixes() {
        String query = query("search:airlock-evidence-al-010");
        for (String pattern : AirflowChangeEvents.DEFAULTS) {
            assertThat(query).as(pattern).contains(" " + pattern + " ");
            if (!pattern.startsWith("*")) {
                assertThat(query).as(pattern).contains(" api." + pattern + " ", " ui." + pattern + " ");
            }
        }
        assertThat(query).doesNotContain("user.name:*");
        assertThat(query).as("2.10 previews and dry runs are not changes")
                .endsWith(" and not event.reason:\"" + AuditLogNormalizer.REASON_DRY_RUN + "\"");
    }

    @Test
    void shouldSearchVaultDenialsAsVaultWritesThemAndReadsOfValuesOnly() {
        assertThat(rawQuery("search:airlock-evidence-al-023")).contains("*permission*denied*").doesNotContain("?").doesNotContain("403");
        for (String rule : List.of("al-020", "al-021", "al-022", "al-024")) {
            assertThat(rawQuery("search:airlock-evidence-" + rule)).as(rule).contains("not vault.path:(*/metadata/* or */subkeys/*)");
        }
    }

    @Test
    void shouldMatchTheAirflowIdentityInTheCasesAnOperatorGetsAsTheRuleMatchesItInAnyCase() {
        // The rule finds "airflow" in any case (kubernetes-Airflow-Worker is Airflow's); KQL wildcards on keywords are
        // case-sensitive, so the searches list the spellings
        Pattern identityMatch = Pattern.compile("(user\\.name|vault\\.identity|related\\.user):(\\([^)]*\\)|[^\\s)]+)");
        for (String rule : List.of("al-022", "al-024")) {
            Set<String> fields = new HashSet<>();
            Matcher m = identityMatch.matcher(rawQuery("search:airlock-evidence-" + rule));
            while (m.find()) {
                if (m.group(2).toLowerCase(java.util.Locale.ROOT).contains("airflow")) {
                    fields.add(m.group(1));
                    assertThat(m.group(2)).as("%s: %s", rule, m.group()).contains("*airflow*", "*Airflow*", "*AIRFLOW*");
                }
            }
            assertThat(fields).as("%s matches display name, identity and token metadata", rule)
                    .containsExactlyInAnyOrder("user.name", "vault.identity", "related.user");
        }
        for (ObjectNode o : objects) {
            String query = FieldUse.tree(o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText("{}"))
                    .path("query").path("query").asText("");
            Matcher m = Pattern.compile(":\\(?\\*airflow\\*").matcher(query);
            if (m.find()) {
                assertThat(query).as("%s: every lower-case wildcard on airflow comes with its other spellings", key(o))
                        .contains("*Airflow*", "*AIRFLOW*");
            }
        }
    }

    @Test
    void shouldSearchAndChartTheDenialsOfTokensWithoutAnIdentityAsAl023CountsThem() {
        // AL-023 counts the denials of a token Vault resolves to nobody per source address, "(unknown token from <ip>)":
        // those events have no vault.identity, and they are the probing the rule is for
        assertThat(FieldUse.kqlFields(rawQuery("search:airlock-evidence-al-023"))).doesNotContain("vault.identity");
        for (String vis : List.of("visualization:airlock-vis-denied-over-time", "visualization:airlock-vis-denied-by-identity-path")) {
            assertThat(byKey.get(vis).path("references").path(0).path("id").asText()).as(vis).isEqualTo("airlock-evidence-al-023");
            JsonNode identity = aggOn(vis, "vault.identity");
            assertThat(identity.path("params").path("missingBucket").asBoolean()).as("%s keeps denials without an identity", vis).isTrue();
            assertThat(identity.path("params").path("missingBucketLabel").asText()).as(vis).isEqualTo("(unknown token)");
        }
        assertThat(aggs("visualization:airlock-vis-denied-by-identity-path")).extracting(a -> a.path("params").path("field").asText())
                .as("the address AL-023 keys unknown tokens by").containsSubsequence("vault.identity", "source.ip");
    }

    private List<JsonNode> aggs(String key) {
        List<JsonNode> aggs = new java.util.ArrayList<>();
        FieldUse.tree(byKey.get(key).path("attributes").path("visState").asText()).path("aggs").forEach(aggs::add);
        return aggs;
    }

    private JsonNode aggOn(String key, String field) {
        return aggs(key).stream().filter(a -> a.path("params").path("field").asText().equals(field)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " has no aggregation on " + field));
    }

    private String rawQuery(String key) {
        return FieldUse.tree(byKey.get(key).path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText())
                .path("query").path("query").asText();
    }

    /** The query with a space around each item, so that {@code " name "} finds an item of a list. */
    private String query(String key) {
        return " " + rawQuery(key).replace("(", "( ").replace(")", " )");
    }

    private List<ObjectNode> ofType(String type) {
        return objects.stream().filter(o -> o.path("type").asText().equals(type)).toList();
    }

    private static String key(ObjectNode o) {
        return o.path("type").asText() + ":" + o.path("id").asText();
    }
}
