package dev.tailor.impact;

import dev.tailor.generate.Observations;
import dev.tailor.identity.Workload;
import dev.tailor.impact.ImpactAnalyzer.Access;
import dev.tailor.netpol.NetworkPolicyEvaluator;
import dev.tailor.netpol.NetworkPolicyEvaluator.Peer;
import dev.tailor.observe.flows.NetworkEdge;
import dev.tailor.store.ObservationStore.StoredAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/** The network side of the replay: each observed connection, judged by the NetworkPolicies now and proposed. */
final class NetworkReplay {

    /** An address outside the cluster (TEST-NET-2), for "anywhere outside". */
    private static final String ANYWHERE = "198.51.100.77";

    private NetworkReplay() {}

    /** @param unselected workloads the proposal has no policy selecting, with why */
    static Map<Workload, Tally> replay(
            Observations obs,
            Set<Workload> workloads,
            Map<Workload, String> unselected,
            NetworkPolicyEvaluator netNow,
            NetworkPolicyEvaluator netNext,
            Predicate<StoredAccess> rows) {
        Map<Workload, Tally> network = new TreeMap<>();
        obs.edges.forEach((e, s) -> {
            if (e.dropped() || e.srcWorkload().equals("reserved:host") || !rows.test(s)) {
                return;
            }
            Workload src = e.srcNamespace().isEmpty() ? null : Workload.parse(e.srcNamespace(), e.srcWorkload());
            Workload dst = e.dstNamespace().isEmpty() ? null : Workload.parse(e.dstNamespace(), e.dstWorkload());
            boolean touches = (src != null && workloads.contains(src)) || (dst != null && workloads.contains(dst));
            if (!touches) {
                return;
            }
            // An end whose labels are not known (a workload the webhook never saw admitted) is judged by what does not
            // depend on them — the known end's rules, ports, namespaces — and counted as not judged when that is not
            // enough: never skipped, so a proposal that cuts such a connection is never called clean.
            Peer from = judged(obs, src, e.srcAddress());
            Peer to = judged(obs, dst, e.dstAddress());
            Boolean allowedNow = from == null || to == null ? null : netNow.judge(from, to, e.protocol(), e.port());
            Boolean allowedNext = from == null || to == null ? null : netNext.judge(from, to, e.protocol(), e.port());
            String what = dev.tailor.generate.Reports.describe(e);
            for (Workload w : new TreeSet<>(java.util.Arrays.asList(src, dst).stream()
                    .filter(x -> x != null && workloads.contains(x))
                    .toList())) {
                String peer = w.equals(src)
                        ? (dst == null ? "outside" : dst.toString())
                        : (src == null ? "outside" : src.toString());
                Tally tally = network.computeIfAbsent(w, k -> new Tally());
                if (unselected.containsKey(w)) {
                    tally.notJudged(what + " (" + unselected.get(w) + ")", peer);
                } else if (allowedNext == null) {
                    tally.notJudged(what + " (the labels of " + unknownEnd(obs, src, dst, e) + " are not known)", peer);
                } else {
                    tally.add(allowedNow, allowedNext, what, peer);
                }
            }
        });
        return network;
    }

    /** A workload as a pod — with null labels when none are known, to be judged by what does not depend on them. */
    private static Peer judged(Observations obs, Workload w, String address) {
        if (w == null) {
            return address.isEmpty() ? null : Peer.address(address);
        }
        Map<String, String> labels = obs.labels(w);
        return Peer.of(new NetworkPolicyEvaluator.Pod(
                w.namespace(), w.key(), labels.isEmpty() ? null : labels, "", List.of()));
    }

    private static String unknownEnd(Observations obs, Workload src, Workload dst, NetworkEdge e) {
        List<String> ends = new ArrayList<>();
        for (Workload w : java.util.Arrays.asList(src, dst)) {
            if (w != null && obs.labels(w).isEmpty()) {
                ends.add(w.toString());
            }
        }
        return ends.isEmpty()
                ? "an end without an address (" + e.srcAddress() + " → " + e.dstAddress() + ")"
                : String.join(" and ", ends);
    }

    /** A workload as a pod (its stable labels), or an address; null when neither is known. */
    static Peer peer(Observations obs, Workload w, String address) {
        Peer p = judged(obs, w, address);
        return p != null && p.pod() != null && p.pod().labels() == null ? null : p;
    }

    /**
     * "ingress from X of Y workloads (and outside) / egress to …" under a policy set, for each of {@code of}. Each
     * ordered pair of workloads is judged once and counted for both ends (the source's egress, the destination's
     * ingress); pairs with neither end in {@code of} are not judged at all.
     */
    static Map<Workload, Access> access(NetworkPolicyEvaluator eval, Observations obs, Set<Workload> of) {
        List<Workload> known = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        for (Workload o : obs.workloads()) {
            Peer peer = peer(obs, o, "");
            if (peer != null) {
                known.add(o);
                peers.add(peer);
            }
        }
        int n = known.size();
        int[] in = new int[n];
        int[] out = new int[n];
        boolean[] asked = new boolean[n];
        for (int i = 0; i < n; i++) {
            asked[i] = of.contains(known.get(i));
        }
        List<java.util.BitSet> allowed = eval.allowedPairs(peers);
        for (int s = 0; s < n; s++) {
            java.util.BitSet to = allowed.get(s);
            for (int d = to.nextSetBit(0); d >= 0; d = to.nextSetBit(d + 1)) {
                if (asked[s] || asked[d]) {
                    out[s]++;
                    in[d]++;
                }
            }
        }
        Map<Workload, Access> access = new TreeMap<>();
        for (Workload w : of) {
            access.put(w, new Access(null, "unknown (no labels)"));
        }
        Peer outside = Peer.address(ANYWHERE);
        for (int i = 0; i < n; i++) {
            if (asked[i]) {
                access.put(known.get(i), access(eval, peers.get(i), outside, in[i], out[i], n - 1));
            }
        }
        return access;
    }

    private static Access access(NetworkPolicyEvaluator eval, Peer self, Peer outside, int in, int out, int known) {
        boolean fromOutside = !eval.allowed(outside, self).isEmpty();
        boolean toOutside = !eval.allowed(self, outside).isEmpty();
        return new Access(
                (long) in + out + (fromOutside ? 1 : 0) + (toOutside ? 1 : 0),
                "ingress from " + in + " of " + known
                        + " workloads" + (fromOutside ? " and anywhere outside" : "") + "; egress to " + out + " of "
                        + known
                        + (toOutside ? " and anywhere outside" : ""));
    }
}
