package dev.tailor.observe.flows;

import dev.tailor.observe.JsonCursor;
import dev.tailor.observe.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An endpoint's labels as Cilium writes them ({@code k8s:app=cart}, {@code reserved:world}), split into the
 * pod's, its namespace's, its service account and its reserved identity. Immutable: flows share them.
 */
record CiliumLabels(Map<String, String> pod, Map<String, String> namespace, String serviceAccount, String reserved) {

    static final CiliumLabels NONE = new CiliumLabels(Map.of(), Map.of(), "", "");

    private static final String NAMESPACE_LABEL = "io.cilium.k8s.namespace.labels.";
    private static final String SERVICE_ACCOUNT_LABEL = "io.cilium.k8s.policy.serviceaccount";

    /** 128-bit MurmurHash3 of a labels array's JSON text, as the cache's key. */
    private record Key(long hi, long lo) {}

    /**
     * CiliumLabels already split, by the text of their array: every flow of an endpoint repeats the same labels, and
     * splitting them (a dozen strings, two sorted maps) cost more than the rest of the flow. Shared by the
     * reading threads; forgotten all at once beyond {@value #KEPT} distinct arrays.
     */
    private static final Map<Key, CiliumLabels> SEEN = new java.util.concurrent.ConcurrentHashMap<>();

    private static final int KEPT = 10_000;

    /** The labels array seen last with a security identity, as its bytes, and what it split into. */
    record Known(long identity, byte[] raw, CiliumLabels labels) {}

    /**
     * By security identity, one slot each of {@value #IDENTITY_SLOTS} (a later identity in the same slot takes it
     * over): looked up twice a flow, without a Long made for the key. Shared by the reading threads without a
     * lock — a slot holds an immutable {@code Known}, so a thread sees either the one before or the one after.
     */
    private static final int IDENTITY_SLOTS = 4096;

    private static final Known[] BY_IDENTITY = new Known[IDENTITY_SLOTS];

    /**
     * The labels array in {@code line[from, to)} of an endpoint with Cilium security identity {@code identity}
     * (-1: none). Cilium derives an identity from exactly these labels, so the array an identity had last time
     * is compared byte for byte — far cheaper than hashing it — and only a different array is looked up by its
     * hash.
     */
    static CiliumLabels of(byte[] line, int from, int to, long identity) {
        if (identity < 0) {
            return of(line, from, to);
        }
        Known known = known(identity);
        if (known != null && java.util.Arrays.equals(known.raw(), 0, known.raw().length, line, from, to)) {
            return known.labels();
        }
        CiliumLabels labels = of(line, from, to);
        BY_IDENTITY[slot(identity)] = new Known(identity, java.util.Arrays.copyOfRange(line, from, to), labels);
        return labels;
    }

    /** The labels array last seen with a security identity, or null. */
    static Known known(long identity) {
        Known known = BY_IDENTITY[slot(identity)];
        return known != null && known.identity() == identity ? known : null;
    }

    private static int slot(long identity) {
        return (int) (identity ^ (identity >>> 32)) & (IDENTITY_SLOTS - 1);
    }

    /** The labels array in {@code line[from, to)}. */
    static CiliumLabels of(byte[] line, int from, int to) {
        long[] hash = Keys.murmur3(line, from, to - from);
        Key key = new Key(hash[0], hash[1]);
        CiliumLabels labels = SEEN.get(key);
        if (labels == null) {
            List<String> texts = new ArrayList<>();
            JsonCursor c = new JsonCursor().reset(line, from, to);
            try {
                c.beginArray();
                while (c.nextElement()) {
                    texts.add(c.text());
                }
            } catch (JsonCursor.Malformed e) {
                throw new IllegalStateException("a labels array read before is no longer JSON", e);
            }
            labels = split(texts);
            if (SEEN.size() >= KEPT) {
                SEEN.clear();
            }
            SEEN.put(key, labels);
        }
        return labels;
    }

    private static CiliumLabels split(List<String> texts) {
        Map<String, String> podLabels = new TreeMap<>();
        Map<String, String> namespaceLabels = new TreeMap<>();
        String serviceAccount = "";
        String reserved = "";
        for (String label : texts) {
            int colon = label.indexOf(':');
            String source = colon < 0 ? "" : label.substring(0, colon);
            String keyValue = colon < 0 ? label : label.substring(colon + 1);
            int eq = keyValue.indexOf('=');
            String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
            String value = eq < 0 ? "" : keyValue.substring(eq + 1);
            if (source.equals("reserved")) {
                reserved = key;
            } else if (source.equals("k8s")) {
                if (key.startsWith(NAMESPACE_LABEL)) {
                    namespaceLabels.put(key.substring(NAMESPACE_LABEL.length()), value);
                } else if (key.equals(SERVICE_ACCOUNT_LABEL)) {
                    serviceAccount = value;
                } else if (!key.startsWith("io.cilium.") && !key.equals("io.kubernetes.pod.namespace")) {
                    podLabels.put(key, value);
                }
            }
        }
        return new CiliumLabels(
                java.util.Collections.unmodifiableMap(podLabels),
                java.util.Collections.unmodifiableMap(namespaceLabels),
                serviceAccount,
                reserved);
    }
}
