package io.airlock.report;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Ed25519 signatures of the manifest, with the JDK's own implementation. The private key is a PKCS#8 PEM
 * ({@code openssl genpkey -algorithm ed25519}); its public key is derived from it and written into the manifest, so a
 * verifier needs nothing else, and can pin the key it expects ({@code airlock report verify --public-key FILE}, an X.509
 * {@code PUBLIC KEY} PEM as {@code openssl pkey -pubout} writes it).
 */
public final class ManifestSignature {

    public static final String ALGORITHM = "Ed25519";

    private final KeyPair keys;

    private ManifestSignature(KeyPair keys) {
        this.keys = keys;
    }

    /**
     * Reads a PKCS#8 PEM Ed25519 private key.
     *
     * @throws IllegalArgumentException if the text is not one (the message never contains the key)
     */
    public static ManifestSignature fromPrivateKeyPem(String pem) {
        byte[] der = pemBody(pem, "PRIVATE KEY");
        try {
            PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            byte[] seed = KeyFactory.getInstance(ALGORITHM).getKeySpec(privateKey, EdECPrivateKeySpec.class).getBytes();
            // the JDK has no "public key of this private key": generate the pair again from the same 32-byte seed
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
            KeyPair derived = generator.generateKeyPair();
            ManifestSignature signer = new ManifestSignature(new KeyPair(derived.getPublic(), privateKey));
            if (!verify(derived.getPublic(), "probe", signer.sign("probe"))) {
                throw new GeneralSecurityException("derived public key does not match");
            }
            return signer;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("report signing key is not an Ed25519 private key in PKCS#8 PEM format");
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** A new random key pair (tests, and {@code openssl}-less setups). */
    public static ManifestSignature generate() {
        try {
            return new ManifestSignature(KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has Ed25519 since 15", e);
        }
    }

    /** The private key as PKCS#8 PEM (to hand a generated key to a config). */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** The public key as X.509 PEM. */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", keys.getPublic().getEncoded());
    }

    /** The public key, base64 of its X.509 encoding, as the manifest carries it. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** Base64 signature of the text (UTF-8). */
    public String sign(String text) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(keys.getPrivate());
            signature.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with Ed25519", e);
        }
    }

    /** Whether {@code signatureBase64} is a valid signature of {@code text} by {@code publicKey}. */
    public static boolean verify(PublicKey publicKey, String text, String signatureBase64) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(publicKey);
            signature.update(text.getBytes(StandardCharsets.UTF_8));
            return signature.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A public key from base64 X.509 (the manifest's {@code public_key}). */
    public static PublicKey publicKeyFromBase64(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
    }

    /** A public key from an X.509 {@code PUBLIC KEY} PEM. */
    public static PublicKey publicKeyFromPem(String pem) {
        return publicKeyFromBase64(Base64.getEncoder().encodeToString(pemBody(pem, "PUBLIC KEY")));
    }

    private static byte[] pemBody(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = pem == null ? -1 : pem.indexOf(begin);
        int to = from < 0 ? -1 : pem.indexOf(end, from);
        if (from < 0 || to < 0) {
            throw new IllegalArgumentException("expected a PEM block '" + begin + "'");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM block '" + begin + "' is not valid base64");
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Hands out the given seed: makes the key generator rebuild the key pair of a known private key. */
    private static final class FixedSeed extends SecureRandom {
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
