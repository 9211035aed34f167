package io.airlock.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.time.Instant;

/**
 * Test data: Debezium change events of {@code ab_user} as the capture writes them (JSON, no schema envelope, no password).
 * {@code AbUserRow.of(1, "alice").failCount(3).update().at(t)}.
 */
public final class AbUserRow {

    private static long lsn = 1000;

    private final int id;
    private String username;
    private String email;
    private Instant lastLogin;
    private long failCount;
    private long loginCount;
    private boolean active = true;

    private AbUserRow(int id, String username) {
        this.id = id;
        this.username = username;
        this.email = username + "@example.com";
    }

    public static AbUserRow of(int id, String username) {
        return new AbUserRow(id, username);
    }

    public AbUserRow failCount(long n) {
        this.failCount = n;
        return this;
    }

    public AbUserRow loginCount(long n) {
        this.loginCount = n;
        return this;
    }

    public AbUserRow username(String name) {
        this.username = name;
        return this;
    }

    public AbUserRow email(String address) {
        this.email = address;
        return this;
    }

    /** {@code last_login} as Debezium delivers a {@code timestamp} column with {@code time.precision.mode=connect}. */
    public AbUserRow lastLogin(Instant at) {
        this.lastLogin = at;
        return this;
    }

    public AbUserRow active(boolean a) {
        this.active = a;
        return this;
    }

    public String key() {
        return "{\"id\":" + id + "}";
    }

    public ObjectNode row() {
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.put("id", id).put("first_name", "First").put("last_name", "Last").put("username", username)
                .put("active", active).put("email", email).put("login_count", loginCount)
                .put("fail_login_count", failCount);
        if (lastLogin != null) {
            row.put("last_login", lastLogin.toEpochMilli());
        }
        return row;
    }

    /** A change of this row: op c, u, r or d, committed at {@code at}, optionally with a before image. */
    public String change(String op, Instant at, AbUserRow before) {
        ObjectNode value = Json.MAPPER.createObjectNode();
        value.set("before", "d".equals(op) ? row() : before == null ? null : before.row());
        value.set("after", "d".equals(op) ? null : row());
        ObjectNode source = value.putObject("source");
        source.put("connector", "postgresql").put("db", "airflow").put("schema", "public").put("table", "ab_user")
                .put("ts_ms", at.toEpochMilli()).put("lsn", lsn += 8).put("snapshot", "r".equals(op) ? "true" : "false");
        value.put("op", op).put("ts_ms", at.toEpochMilli() + 5);
        return Json.writeString(value);
    }

    public String update(Instant at) {
        return change("u", at, null);
    }
}
