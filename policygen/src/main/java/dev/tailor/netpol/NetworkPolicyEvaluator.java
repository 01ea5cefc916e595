package dev.tailor.netpol;

import dev.tailor.kube.LabelSelector;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Is a connection allowed under a set of NetworkPolicies ({@code networking.k8s.io/v1})? Kubernetes' semantics:
 * <ul>
 *   <li>a pod is isolated for a direction only when some policy in its namespace selects it
 *       ({@code podSelector}) with that direction in {@code policyTypes}; otherwise that direction allows all;</li>
 *   <li>{@code policyTypes} absent means Ingress, plus Egress when the policy has egress rules;</li>
 *   <li>what the selecting policies' rules allow is the union; a rule without peers allows every peer, a rule
 *       without ports every port; no rules allow nothing;</li>
 *   <li>a peer with {@code namespaceSelector} and {@code podSelector} means pods matching both (AND); with only
 *       {@code podSelector}, pods of the policy's namespace; with only {@code namespaceSelector}, every pod of the
 *       matching namespaces; {@code ipBlock} matches addresses in its CIDR outside its {@code except}s — addresses
 *       outside the cluster: pod addresses are meant to be selected by labels (as np-guard reads it too);</li>
 *   <li>ports: protocol TCP unless given; {@code port} with {@code endPort} a range; a named port is the
 *       destination pod's container port of that name and protocol (no such port: nothing);</li>
 *   <li>a connection is allowed only when the source's egress and the destination's ingress both allow it;</li>
 *   <li>every namespace carries {@code kubernetes.io/metadata.name} (the API server sets it).</li>
 * </ul>
 */
public final class NetworkPolicyEvaluator {

    /** A container port a named port may refer to. */
    public record ContainerPort(String name, String protocol, int port) {}

    /** A pod, as policies see it. */
    public record Pod(
            String namespace, String name, Map<String, String> labels, String ip, List<ContainerPort> ports) {}

    /** One end of a connection: a pod, or an address outside the cluster ({@code pod} null). */
    public record Peer(Pod pod, String ip) {
        public static Peer of(Pod pod) {
            return new Peer(pod, pod.ip());
        }

        public static Peer address(String ip) {
            return new Peer(null, ip);
        }
    }

    private enum Direction {
        INGRESS,
        EGRESS
    }

    /** A policy read once: its namespace, the directions it isolates, its pod selector, its rules per direction. */
    private record Policy(
            String namespace,
            List<Direction> types,
            LabelSelector.Compiled podSelector,
            List<Rule> ingress,
            List<Rule> egress) {
        static Policy of(NetworkPolicy p) {
            NetworkPolicySpec spec = p.getSpec() == null ? new NetworkPolicySpec() : p.getSpec();
            String namespace = p.getMetadata() == null ? null : p.getMetadata().getNamespace();
            return new Policy(
                    namespace == null || namespace.isEmpty() ? "default" : namespace,
                    NetworkPolicyEvaluator.types(spec),
                    LabelSelector.compile(spec.getPodSelector()),
                    listOf(spec.getIngress()).stream()
                            .map(r -> Rule.of(r.getFrom(), r.getPorts()))
                            .toList(),
                    listOf(spec.getEgress()).stream()
                            .map(r -> Rule.of(r.getTo(), r.getPorts()))
                            .toList());
        }
    }

    /** A rule: its peers (none: every peer) and its ports — read once, unless a named port makes them the pod's. */
    private record Rule(List<PeerRule> peers, List<NetworkPolicyPort> ports, PortSet fixedPorts) {
        static Rule of(List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports) {
            List<NetworkPolicyPort> p = listOf(ports);
            return new Rule(
                    listOf(peers).stream().map(PeerRule::new).toList(),
                    p,
                    p.stream().anyMatch(port -> named(port.getPort()) != null)
                            ? null
                            : NetworkPolicyEvaluator.ports(p, null));
        }
    }

    /**
     * One peer of a rule, read once, and which namespaces its namespace selector selects, remembered as they are asked:
     * impact's access count asks every rule about every other workload (a million pairs on a large cluster), and most
     * of them live in a namespace the selector does not select.
     */
    private static final class PeerRule {
        final IPBlock ipBlock;
        final LabelSelector.Compiled namespaceSelector;
        final LabelSelector.Compiled podSelector;
        private final Map<String, Boolean> selectedNamespaces = new java.util.concurrent.ConcurrentHashMap<>();

        PeerRule(NetworkPolicyPeer peer) {
            this.ipBlock = peer.getIpBlock();
            this.namespaceSelector =
                    peer.getNamespaceSelector() != null ? LabelSelector.compile(peer.getNamespaceSelector()) : null;
            this.podSelector = peer.getPodSelector() != null ? LabelSelector.compile(peer.getPodSelector()) : null;
        }

        /** Whether the namespace selector selects a namespace with these labels (the same for every ask of it). */
        boolean selectsNamespace(String namespace, java.util.function.Function<String, Map<String, String>> labels) {
            Boolean selected = selectedNamespaces.get(namespace);
            if (selected == null) {
                selected = namespaceSelector.matches(labels.apply(namespace));
                selectedNamespaces.put(namespace, selected);
            }
            return selected;
        }
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** A port written as a string of digits; one too large for a port matches none. */
    private static int number(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A port given by name ({@code http}), or null when it is a number, a string of digits or absent. */
    private static String named(IntOrString port) {
        if (port == null || port.getIntVal() != null) {
            return null;
        }
        String name = port.getStrVal();
        return name == null || name.matches("\\d+") ? null : name;
    }

    /** The policies by namespace: a pod is selected only by its own namespace's. */
    private final Map<String, List<Policy>> byNamespace = new java.util.HashMap<>();

    private final Map<String, Map<String, String>> namespaceLabels;
    /**
     * Which policies select a pod, by namespace, labels and direction — the same for every pod of a workload. Keyed by
     * the labels map itself, not its contents: callers pass one map per workload, and hashing its entries on every
     * question cost more than the answer. An equal map that is another instance is only a miss.
     */
    private final Map<SelectionKey, Selection> selections = new java.util.concurrent.ConcurrentHashMap<>();

    private record SelectionKey(String namespace, Map<String, String> labels, Direction direction) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SelectionKey k
                    && labels == k.labels
                    && direction == k.direction
                    && namespace.equals(k.namespace);
        }

        @Override
        public int hashCode() {
            return (namespace.hashCode() * 31 + System.identityHashCode(labels)) * 31 + direction.hashCode();
        }
    }

    /** The policies that select a pod for a direction for sure, and those that might (its labels unknown). */
    private record Selection(List<Policy> sure, List<Policy> maybe) {}

    /** @param namespaceLabels labels of the namespaces that have Namespace objects (others get only their name label) */
    public NetworkPolicyEvaluator(List<NetworkPolicy> policies, Map<String, Map<String, String>> namespaceLabels) {
        for (NetworkPolicy p : policies) {
            Policy policy = Policy.of(p);
            byNamespace
                    .computeIfAbsent(policy.namespace(), k -> new ArrayList<>())
                    .add(policy);
        }
        this.namespaceLabels = namespaceLabels;
    }

    /** The namespace's labels, with the name label the API server always sets. */
    public Map<String, String> namespaceLabels(String namespace) {
        return withName.computeIfAbsent(namespace, ns -> {
            Map<String, String> labels = new TreeMap<>(namespaceLabels.getOrDefault(ns, Map.of()));
            labels.put("kubernetes.io/metadata.name", ns);
            return java.util.Collections.unmodifiableMap(labels);
        });
    }

    private final Map<String, Map<String, String>> withName = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * What the policies allow from one end to the other: {@code certain} whatever the ends' unknown labels are,
     * {@code possible} for some labels they might have. With every label known the two are the same.
     */
    public record Bounds(PortSet certain, PortSet possible) {
        static final Bounds ALL = new Bounds(PortSet.ALL, PortSet.ALL);

        Bounds intersect(Bounds o) {
            return new Bounds(certain.intersect(o.certain), possible.intersect(o.possible));
        }
    }

    /** Every connection from {@code src} to {@code dst} that the policies allow (for certain). */
    public PortSet allowed(Peer src, Peer dst) {
        return bounds(src, dst).certain();
    }

    /** What the policies allow from {@code src} to {@code dst}, an end's labels being unknown when they are null. */
    public Bounds bounds(Peer src, Peer dst) {
        Bounds egress = src.pod() == null ? Bounds.ALL : allowedBy(src.pod(), dst, Direction.EGRESS);
        if (egress.possible().isEmpty()) {
            return new Bounds(PortSet.NONE, PortSet.NONE);
        }
        Bounds ingress = dst.pod() == null ? Bounds.ALL : allowedBy(dst.pod(), src, Direction.INGRESS);
        return egress.intersect(ingress);
    }

    /**
     * For each peer as a source, the peers (by index, itself left out) it may connect to on some port: the pairs for
     * which {@link #allowed} is not empty, without asking every pair. A peer's rules are read once to find the peers
     * they could match — by namespace, then by labels — and only those pairs are asked; a peer no policy isolates in a
     * direction may be matched by every peer there. Impact's access count asked a million pairs of a thousand
     * workloads, each policy's rules again for each.
     */
    public List<java.util.BitSet> allowedPairs(List<Peer> peers) {
        int n = peers.size();
        Map<String, List<Integer>> byNamespace = new TreeMap<>();
        java.util.BitSet addresses = new java.util.BitSet(n);
        for (int i = 0; i < n; i++) {
            Pod pod = peers.get(i).pod();
            if (pod != null) {
                byNamespace
                        .computeIfAbsent(pod.namespace(), k -> new ArrayList<>())
                        .add(i);
            } else {
                addresses.set(i);
            }
        }
        Candidates[] egress = new Candidates[n];
        Candidates[] ingress = new Candidates[n];
        for (int i = 0; i < n; i++) {
            egress[i] = candidates(peers.get(i), Direction.EGRESS, peers, byNamespace, addresses);
            ingress[i] = candidates(peers.get(i), Direction.INGRESS, peers, byNamespace, addresses);
        }
        List<java.util.BitSet> allowed = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            java.util.BitSet to = new java.util.BitSet(n);
            Candidates out = egress[s];
            for (int d = out.peers() == null ? 0 : out.peers().nextSetBit(0);
                    d >= 0 && d < n;
                    d = out.peers() == null ? d + 1 : out.peers().nextSetBit(d + 1)) {
                Candidates in = ingress[d];
                if (d == s || (in.peers() != null && !in.peers().get(s))) {
                    continue;
                }
                if ((out.unisolated() && in.unisolated())
                        || !allowed(peers.get(s), peers.get(d)).isEmpty()) {
                    to.set(d);
                }
            }
            allowed.add(to);
        }
        return allowed;
    }

    /**
     * The peers a pod's rules for one direction could match ({@code peers} null: any), and whether no policy isolates
     * it there (then it allows every peer).
     */
    private record Candidates(java.util.BitSet peers, boolean unisolated) {
        static final Candidates ANY = new Candidates(null, false);
        static final Candidates UNISOLATED = new Candidates(null, true);
    }

    /** Which of {@code peers} a pod's rules for a direction could match: a superset of those {@link #bounds} allows. */
    private Candidates candidates(
            Peer self,
            Direction direction,
            List<Peer> peers,
            Map<String, List<Integer>> byNamespace,
            java.util.BitSet addresses) {
        if (self.pod() == null) {
            return Candidates.UNISOLATED; // an address outside: no policy isolates it
        }
        Selection selection = selection(self.pod(), direction);
        if (selection.sure().isEmpty() && selection.maybe().isEmpty()) {
            return Candidates.UNISOLATED;
        }
        java.util.BitSet matched = new java.util.BitSet(peers.size());
        List<Policy> selecting = new ArrayList<>(selection.sure());
        selecting.addAll(selection.maybe());
        for (Policy policy : selecting) {
            for (Rule rule : direction == Direction.INGRESS ? policy.ingress() : policy.egress()) {
                if (rule.peers().isEmpty()) {
                    return Candidates.ANY;
                }
                for (PeerRule peer : rule.peers()) {
                    if (peer.ipBlock != null) {
                        matched.or(addresses); // an address block matches addresses, never pods (peerMatches)
                        continue;
                    }
                    if (peer.podSelector == null && peer.namespaceSelector == null) {
                        continue; // matches nothing (peerMatches)
                    }
                    for (Map.Entry<String, List<Integer>> namespace : byNamespace.entrySet()) {
                        boolean selected = peer.namespaceSelector != null
                                ? peer.selectsNamespace(namespace.getKey(), this::namespaceLabels)
                                : namespace.getKey().equals(policy.namespace());
                        if (!selected) {
                            continue;
                        }
                        for (int i : namespace.getValue()) {
                            if (peer.podSelector == null
                                    || !Boolean.FALSE.equals(selects(
                                            peer.podSelector, peers.get(i).pod().labels()))) {
                                matched.set(i);
                            }
                        }
                    }
                }
            }
        }
        return new Candidates(matched, false);
    }

    /** Is one connection allowed? */
    public boolean allows(Peer src, Peer dst, String protocol, int port) {
        return allowed(src, dst).contains(protocol, port);
    }

    /**
     * Is one connection allowed — true or false when the policies decide it whatever an end's unknown labels are
     * (a pod's {@code labels} null), null when they could go either way.
     */
    public Boolean judge(Peer src, Peer dst, String protocol, int port) {
        Bounds b = bounds(src, dst);
        if (b.certain().contains(protocol, port)) {
            return true;
        }
        return b.possible().contains(protocol, port) ? null : false;
    }

    /** Whether a selector selects these labels: null when the labels are unknown and the selector is not empty. */
    private static Boolean selects(LabelSelector.Compiled selector, Map<String, String> labels) {
        if (labels != null) {
            return selector.matches(labels);
        }
        return selector.isEmpty() ? Boolean.TRUE : null;
    }

    /** Is the pod isolated for that direction (selected by some policy for it)? */
    public boolean isolated(Pod pod, boolean ingress) {
        return !selecting(pod, ingress ? Direction.INGRESS : Direction.EGRESS).isEmpty();
    }

    private List<Policy> selecting(Pod self, Direction direction) {
        return selection(self, direction).sure();
    }

    /** Sorts the policies of this direction into those that select the pod and those that might (labels unknown). */
    private Selection selection(Pod self, Direction direction) {
        SelectionKey key = new SelectionKey(self.namespace(), self.labels(), direction);
        Selection known = selections.get(key);
        if (known != null) {
            return known;
        }
        List<Policy> sure = new ArrayList<>();
        List<Policy> maybe = new ArrayList<>();
        for (Policy p : byNamespace.getOrDefault(self.namespace(), List.of())) {
            if (p.types().contains(direction)) {
                Boolean selects = selects(p.podSelector(), self.labels());
                if (selects == null) {
                    maybe.add(p);
                } else if (selects) {
                    sure.add(p);
                }
            }
        }
        Selection made = new Selection(List.copyOf(sure), List.copyOf(maybe));
        selections.put(key, made);
        return made;
    }

    /** {@code policyTypes}, or when it is empty the API server's default: Ingress, and Egress with egress rules. */
    private static List<Direction> types(NetworkPolicySpec spec) {
        List<Direction> types = new ArrayList<>();
        if (!listOf(spec.getPolicyTypes()).isEmpty()) {
            spec.getPolicyTypes().forEach(t -> {
                if ("Ingress".equals(t)) {
                    types.add(Direction.INGRESS);
                } else if ("Egress".equals(t)) {
                    types.add(Direction.EGRESS);
                }
            });
            return types;
        }
        types.add(Direction.INGRESS);
        if (!listOf(spec.getEgress()).isEmpty()) {
            types.add(Direction.EGRESS);
        }
        return types;
    }

    private Bounds allowedBy(Pod self, Peer other, Direction direction) {
        Selection selection = selection(self, direction);
        List<Policy> selecting = selection.sure();
        List<Policy> maybe = selection.maybe();
        if (selecting.isEmpty() && maybe.isEmpty()) {
            return Bounds.ALL; // not isolated
        }
        PortSet certain = PortSet.NONE;
        PortSet possible = PortSet.NONE;
        // The port a rule names is the destination's: this pod's for ingress, the other end's for egress.
        Pod portOwner = direction == Direction.INGRESS ? self : other.pod();
        int count = selecting.size() + maybe.size();
        for (int i = 0; i < count; i++) {
            boolean sure = i < selecting.size();
            Policy policy = sure ? selecting.get(i) : maybe.get(i - selecting.size());
            for (Rule rule : direction == Direction.INGRESS ? policy.ingress() : policy.egress()) {
                Boolean peerMatches = rule.peers().isEmpty() ? Boolean.TRUE : Boolean.FALSE;
                for (PeerRule peer : rule.peers()) {
                    Boolean m = peerMatches(peer, policy.namespace(), other);
                    if (Boolean.TRUE.equals(m)) {
                        peerMatches = true;
                        break;
                    }
                    if (m == null) {
                        peerMatches = null;
                    }
                }
                if (!Boolean.FALSE.equals(peerMatches)) {
                    PortSet ports = rule.fixedPorts() != null ? rule.fixedPorts() : ports(rule.ports(), portOwner);
                    possible = possible.union(ports);
                    if (sure && peerMatches != null) {
                        certain = certain.union(ports);
                    }
                }
            }
        }
        // Selected for sure: isolated — certain what the sure policies' sure rules allow, possible what any rule that
        // might apply allows. Only maybe selected: isolated or not, so anything is possible and nothing certain.
        return selecting.isEmpty() ? new Bounds(PortSet.NONE, PortSet.ALL) : new Bounds(certain, possible);
    }

    /** Whether a rule's peer matches the other end: null when that depends on labels not known. */
    private Boolean peerMatches(PeerRule peer, String policyNamespace, Peer other) {
        if (peer.ipBlock != null) {
            return other.pod() == null && inBlock(peer.ipBlock, other.ip());
        }
        if (other.pod() == null || (peer.podSelector == null && peer.namespaceSelector == null)) {
            return false;
        }
        Pod pod = other.pod();
        boolean namespaceMatches = peer.namespaceSelector != null
                ? peer.selectsNamespace(pod.namespace(), this::namespaceLabels)
                : pod.namespace().equals(policyNamespace);
        if (!namespaceMatches) {
            return false;
        }
        return peer.podSelector == null ? Boolean.TRUE : selects(peer.podSelector, pod.labels());
    }

    private static PortSet ports(List<NetworkPolicyPort> ports, Pod owner) {
        if (ports.isEmpty()) {
            return PortSet.ALL;
        }
        PortSet out = PortSet.NONE;
        for (NetworkPolicyPort p : ports) {
            String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol();
            if (!PortSet.PROTOCOLS.contains(protocol)) {
                continue;
            }
            IntOrString port = p.getPort();
            String name = named(port);
            if (port == null || (port.getIntVal() == null && port.getStrVal() == null)) {
                out = out.union(PortSet.all(protocol));
            } else if (name == null) {
                int from = port.getIntVal() != null ? port.getIntVal() : number(port.getStrVal());
                int to = p.getEndPort() != null ? p.getEndPort() : from;
                out = out.union(PortSet.of(protocol, from, to));
            } else if (owner != null) {
                for (ContainerPort c : owner.ports()) {
                    if (c.name().equals(name) && c.protocol().equals(protocol)) {
                        out = out.union(PortSet.of(protocol, c.port(), c.port()));
                    }
                }
            }
        }
        return out;
    }

    static boolean inBlock(IPBlock block, String ip) {
        if (ip == null || ip.isEmpty() || block.getCidr() == null || !inCidr(block.getCidr(), ip)) {
            return false;
        }
        for (String except : listOf(block.getExcept())) {
            if (inCidr(except, ip)) {
                return false;
            }
        }
        return true;
    }

    /** Is {@code ip} in {@code cidr} (IPv4 or IPv6; different families never match)? */
    public static boolean inCidr(String cidr, String ip) {
        int slash = cidr.indexOf('/');
        // Literal addresses only: InetAddress would look a host name up in DNS.
        if (slash < 0 || !cidr.substring(0, slash).matches("[0-9a-fA-F:.]+") || !ip.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            byte[] net = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            byte[] addr = InetAddress.getByName(ip).getAddress();
            if (net.length != addr.length) {
                return false;
            }
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            int total = net.length * 8;
            BigInteger mask = bits == 0
                    ? BigInteger.ZERO
                    : BigInteger.ONE
                            .shiftLeft(total)
                            .subtract(BigInteger.ONE)
                            .shiftRight(total - bits)
                            .shiftLeft(total - bits);
            return new BigInteger(1, net).and(mask).equals(new BigInteger(1, addr).and(mask));
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
