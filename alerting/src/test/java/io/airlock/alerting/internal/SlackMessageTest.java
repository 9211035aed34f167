package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.TestAlerts;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SlackMessageTest {

    @Test
    void shouldKeepThePathAndAddressOfTheSummaryWhenTheEntityIsThousandsOfCharacters() {
        Alert alert = PagerDutyEventTest.longEntityAlert();

        JsonNode message = SlackMessage.of(alert, AlertLinks.none());

        assertThat(message.path("text").asText()).contains("secret/data/airflow/connections/prod_db from 10.20.30.40");
        assertThat(message.path("blocks").get(2).path("text").path("text").asText())
                .contains("secret/data/airflow/connections/prod_db from 10.20.30.40");
        String entityField = message.path("blocks").get(1).path("fields").get(0).path("text").asText();
        assertThat(entityField).startsWith("*Entity*\n`userpass-xxx").endsWith("…`").hasSizeLessThan(120);
        assertThat(message.toString()).as("the name is not repeated in full anywhere").hasSizeLessThan(4_000);
    }

    private static final AlertLinks LINKS = AlertLinks.of(URI.create("http://dashboards.example:5601"),
            URI.create("https://docs.example.com/airlock/"), IndexNames.defaults());

    @Test
    void shouldStayWithinSlackLimitsForAHugeSummaryAndManyEvidenceIds() {
        List<String> evidence = IntStream.range(0, 60).mapToObj(i -> String.format("%032x", i)).toList();
        Alert alert = TestAlerts.failedLoginBurst()
                .summary("<!channel> ".repeat(1000))
                .entity("e".repeat(5000))
                .evidence(evidence)
                .build();

        JsonNode message = SlackMessage.of(alert, LINKS);

        JsonNode blocks = message.path("blocks");
        assertThat(blocks.size()).isLessThanOrEqualTo(50);
        assertThat(message.path("text").asText().length()).isLessThanOrEqualTo(3000);
        for (JsonNode block : blocks) {
            switch (block.path("type").asText()) {
                case "header" -> assertThat(block.path("text").path("text").asText().length()).isLessThanOrEqualTo(150);
                case "section" -> {
                    if (block.has("text")) {
                        assertThat(block.path("text").path("text").asText().length()).isLessThanOrEqualTo(3000);
                    }
                    assertThat(block.path("fields").size()).isLessThanOrEqualTo(10);
                    block.path("fields").forEach(f -> assertThat(f.path("text").asText().length()).isLessThanOrEqualTo(2000));
                }
                case "actions" -> block.path("elements").forEach(button -> {
                    assertThat(button.path("url").asText().length()).isLessThanOrEqualTo(3000);
                    assertThat(button.path("text").path("text").asText().length()).isLessThanOrEqualTo(75);
                });
                case "context" -> block.path("elements").forEach(e -> assertThat(e.path("text").asText().length()).isLessThanOrEqualTo(3000));
                default -> throw new AssertionError("unexpected block " + block);
            }
        }
        assertThat(message.toString()).doesNotContain("<!channel>");
    }

    @Test
    void shouldEscapeEveryUntrustedValue() {
        Alert alert = TestAlerts.failedLoginBurst()
                .entity("<@U123>")
                .summary("dag <http://evil|click> by <!channel> & friends\nfake line")
                .evidence(List.of("<!here>"))
                .build();

        String json = SlackMessage.of(alert, LINKS).toString();

        assertThat(json).doesNotContain("<@U123>", "<http://evil|click>", "<!channel>", "<!here>");
        assertThat(json).contains("&lt;@U123&gt;", "&lt;http://evil|click&gt;", "&amp; friends");
    }

    @Test
    void shouldShowUntrustedValuesAsCodeInVerbatimTextSoSlackNeitherFormatsNorLinksThem() {
        Alert alert = TestAlerts.failedLoginBurst()
                .entity("oidc-https://sso-reset.example/verify *URGENT* _it_ ~x~ `code`")
                .summary("reads by *svc* from https://evil.example\nsecond line")
                .build();

        JsonNode message = SlackMessage.of(alert, LINKS);

        List<JsonNode> texts = new ArrayList<>();
        message.path("blocks").forEach(block -> {
            block.path("fields").forEach(texts::add);
            if (block.path("text").path("type").asText().equals("mrkdwn")) {
                texts.add(block.path("text"));
            }
            block.path("elements").forEach(e -> {
                if (e.path("type").asText().equals("mrkdwn")) {
                    texts.add(e);
                }
            });
        });
        assertThat(texts).hasSizeGreaterThan(6).allSatisfy(t -> assertThat(t.path("verbatim").asBoolean()).isTrue());
        List<String> shown = texts.stream().map(t -> t.path("text").asText()).toList();
        assertThat(shown).contains("*Entity*\n`oidc-https://sso-reset.example/verify *URGENT* _it_ ~x~ 'code'`",
                "```reads by *svc* from https://evil.example\nsecond line```");
    }

    @Test
    void shouldShowSeverityRuleAndFacts() {
        JsonNode message = SlackMessage.of(TestAlerts.failedLoginBurst().count(7).build(), LINKS);

        JsonNode header = message.path("blocks").get(0);
        assertThat(header.path("type").asText()).isEqualTo("header");
        assertThat(header.path("text").path("text").asText()).contains("HIGH", "AL-001", "failed-login burst");
        List<String> fields = new ArrayList<>();
        message.path("blocks").get(1).path("fields").forEach(f -> fields.add(f.path("text").asText()));
        assertThat(fields).contains("*Entity*\n`alice`", "*Count*\n7", "*First seen*\n2025-03-14T09:26:53Z",
                "*Last seen*\n2025-03-14T09:33:53Z");
    }

    @Test
    void shouldLinkTheRunbookAndTheEvidenceInDiscover() {
        JsonNode message = SlackMessage.of(TestAlerts.failedLoginBurst().build(), LINKS);

        List<String> urls = new ArrayList<>();
        message.path("blocks").forEach(b -> b.path("elements").forEach(e -> {
            if (e.has("url")) {
                urls.add(e.path("url").asText());
            }
        }));
        assertThat(urls).hasSize(2);
        assertThat(urls.get(0)).isEqualTo("https://docs.example.com/runbooks/AL-001");
        assertThat(urls.get(1)).startsWith("http://dashboards.example:5601/app/data-explorer/discover#?")
                .contains("event.id", "e1", "airlock-events");
        assertThat(URI.create(urls.get(1))).isNotNull();
    }

    @Test
    void shouldDropRunbookLinksThatAreNotHttp() {
        JsonNode message = SlackMessage.of(TestAlerts.failedLoginBurst().runbook("javascript:alert(1)").build(), LINKS);

        assertThat(message.toString()).doesNotContain("javascript:");
    }

    @Test
    void shouldResolveRelativeRunbooksAgainstTheDocsBase() {
        AlertLinks links = AlertLinks.of(null, URI.create("https://docs.example.com/airlock"), IndexNames.defaults());

        assertThat(links.runbook(TestAlerts.failedLoginBurst().runbook("docs/runbooks/AL-001.md").build()))
                .contains(URI.create("https://docs.example.com/airlock/docs/runbooks/AL-001.md"));
    }
}
