package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.MalformedRecordException;

/**
 * What detection remembers of one {@code ab_user} row between updates, because updates carry no {@code before} image with
 * the default replica identity. Never holds the password (it is excluded at capture anyway).
 */
public record AbUserState(String username, long failLoginCount, long loginCount, boolean active, java.time.Instant lastSuccessAt) {

    static AbUserState fromRow(JsonNode row) {
        JsonNode username = row.get("username");
        if (username == null || !username.isTextual() || username.asText().isEmpty()) {
            throw new MalformedRecordException("ab_user row without a text 'username'");
        }
        return new AbUserState(username.asText(), counter(row, "fail_login_count"), counter(row, "login_count"),
                !row.has("active") || row.get("active").isNull() || row.get("active").asBoolean(), null);
    }

    AbUserState withLastSuccessAt(java.time.Instant at) {
        return new AbUserState(username, failLoginCount, loginCount, active, at);
    }

    private static long counter(JsonNode row, String column) {
        JsonNode value = row.get(column);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isIntegralNumber()) {
            throw new MalformedRecordException("ab_user." + column + " is not an integer");
        }
        return value.asLong();
    }
}
