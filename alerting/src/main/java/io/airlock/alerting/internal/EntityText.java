package io.airlock.alerting.internal;

/**
 * Keeps an alert's entity from crowding the rest out of a notification. Entities come from Vault display names and
 * Airflow user names, which have no length limit (2 000–4 000 characters are seen), and several rules quote the entity
 * in their summary again (AL-024: "NAME, not Airflow's service identity, read … : PATH from ADDRESS"). Cut only by the
 * receiver's limit (PagerDuty's 1 024-character summary, Slack's 3 000-character section), such a name pushes out what
 * the page is about: the secret path and the source address at the summary's end. So titles and short fields show the
 * entity cut to {@link #MAX_SHOWN} characters, and the summary quotes it cut alike; the full entity stays in the
 * receiver's structured fields (PagerDuty's {@code custom_details.entity}) and in OpenSearch.
 */
final class EntityText {

    /** The longest entity shown in a title, a field or a summary; longer ones end with an ellipsis. */
    static final int MAX_SHOWN = 80;

    private EntityText() {
    }

    /** The entity, flattened to one line and cut to {@link #MAX_SHOWN} characters (not escaped). */
    static String shortened(String entity) {
        return SlackText.truncate(SlackText.singleLine(entity), MAX_SHOWN);
    }

    /** The summary with every quote of a longer entity replaced by {@link #shortened} (not escaped); null stays null. */
    static String summary(String summary, String entity) {
        if (summary == null || entity == null || entity.length() <= MAX_SHOWN || !summary.contains(entity)) {
            return summary;
        }
        return summary.replace(entity, shortened(entity));
    }
}
