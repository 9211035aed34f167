package io.airlock.streams.normalize;

import java.util.Set;

/**
 * The secret path of a request against a KV secrets engine, as rules compare it: KV v2 API paths without their
 * {@code data/}/{@code metadata/} segment ({@code airflow/data/connections/db} → {@code airflow/connections/db}).
 *
 * <p>The audit line does not say which KV version a mount runs ({@code mount_running_version} is the plugin's version, and
 * both versions report {@code mount_type} {@code kv}), so the heuristic is:
 * <ol>
 * <li>Only requests against a KV mount have a KV path: {@code mount_type} is {@code kv} (or the legacy {@code generic}). When
 *     a line has no {@code mount_type} (Vault before 1.5 omits it), a path whose second segment is a KV v2 segment is taken
 *     for KV v2 unless its first segment is one of Vault's own mounts ({@code sys}, {@code auth}, {@code identity},
 *     {@code cubbyhole}).</li>
 * <li>The mount is {@code request.mount_point} when the line has it (Vault 1.14+, needed for nested mounts such as
 *     {@code team/kv/}), else the first path segment.</li>
 * <li>If the path below the mount starts with a KV v2 segment — {@code data/}, {@code metadata/}, and also the version
 *     endpoints {@code subkeys/}, {@code delete/}, {@code undelete/}, {@code destroy/} — that segment is removed. Otherwise
 *     (a KV v1 mount, or a KV v2 mount's {@code config}) the path is the KV path as it is.</li>
 * </ol>
 * A KV v1 secret literally named {@code data/…} is indistinguishable from a KV v2 path and is stripped too. Paths here are
 * relative to the request's namespace; {@link VaultAuditNormalizer} prefixes the namespace.
 */
public final class VaultKvPaths {

    private static final Set<String> KV_MOUNT_TYPES = Set.of("kv", "generic");
    private static final Set<String> V2_SEGMENTS = Set.of("data", "metadata", "subkeys", "delete", "undelete", "destroy");
    private static final Set<String> BUILTIN_MOUNTS = Set.of("sys", "auth", "identity", "cubbyhole");

    private VaultKvPaths() {
    }

    /**
     * @param path       {@code request.path}
     * @param mountType  {@code request.mount_type}, may be null
     * @param mountPoint {@code request.mount_point} with its trailing slash, may be null
     * @return the KV path, or null when the request is not against a KV mount
     */
    public static String of(String path, String mountType, String mountPoint) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        String mount = mountPoint != null && !mountPoint.isEmpty() && path.startsWith(mountPoint) ? mountPoint : firstSegment(path);
        String rest = path.substring(mount.length());
        String segment = firstSegment(rest);
        boolean v2Segment = V2_SEGMENTS.contains(withoutSlash(segment));
        if (mountType == null) {
            if (BUILTIN_MOUNTS.contains(withoutSlash(mount)) || !v2Segment) {
                return null;
            }
        } else if (!KV_MOUNT_TYPES.contains(mountType)) {
            return null;
        }
        return v2Segment ? mount + rest.substring(segment.length()) : path;
    }

    private static String withoutSlash(String segment) {
        return segment.endsWith("/") ? segment.substring(0, segment.length() - 1) : segment;
    }

    /** The first segment including its slash ({@code "a/b"} → {@code "a/"}), or the whole string when it has no slash. */
    private static String firstSegment(String path) {
        int slash = path.indexOf('/');
        return slash < 0 ? path : path.substring(0, slash + 1);
    }
}
