package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.integer;

import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.SecretValue;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import io.airlock.report.ManifestSignature;
import java.util.Optional;

/** Compliance reports ({@code airlock report}). Belongs to {@code report} once modules read their own settings. */
public final class ReportFields {

    public static final Setting<SecretValue> SIGNING_KEY = Setting.secret("report.signing-key")
            .validate(Validators.accepts("Ed25519 private key, PKCS#8 PEM", v -> ManifestSignature.fromPrivateKeyPem(v.reveal())))
            .whenUnset("manifests are not signed")
            .doc("Ed25519 private key (PKCS#8 PEM, `openssl genpkey -algorithm ed25519`) that signs each report's "
                    + "`manifest.json`; the manifest carries the public key. Give it as `report.signing-key-file: /path/key.pem`.");

    public static final Setting<Integer> PAGE_SIZE = Setting.of("report.page-size", integer())
            .defaultValue(1000)
            .validate(Validators.between(1, 10_000))
            .doc("Records fetched from OpenSearch per request while exporting (point in time + `search_after`); the memory "
                    + "for records grows with it, not with the size of the report (the summary's per-identity counts take memory "
                    + "too, bounded: see report.md).");

    public static final Group GROUP = Group.of("Report",
            "Tamper-evident compliance exports, `airlock report` (see [report.md](report.md)).", SIGNING_KEY, PAGE_SIZE);

    private ReportFields() {
    }

    /** The manifest signer, when a key is configured. */
    public static Optional<ManifestSignature> signer(ConfigValues values) {
        return values.find(SIGNING_KEY).map(key -> ManifestSignature.fromPrivateKeyPem(key.reveal()));
    }
}
