package io.airlock.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code ab_user.password} (a password hash) must never leave the capture: the one place that removes the column from a
 * Debezium change, with or without a Kafka Connect schema envelope ({@code payload.before}/{@code payload.after}).
 */
public final class PasswordColumn {

    private PasswordColumn() {
    }

    /** Removes {@code password} from the row images of {@code change}; whether there was one. */
    public static boolean removeFrom(JsonNode change) {
        boolean removed = false;
        for (JsonNode holder : new JsonNode[] {change, change.path("payload")}) {
            for (String image : new String[] {"before", "after"}) {
                if (holder.get(image) instanceof ObjectNode row && row.remove("password") != null) {
                    removed = true;
                }
            }
        }
        return removed;
    }
}
