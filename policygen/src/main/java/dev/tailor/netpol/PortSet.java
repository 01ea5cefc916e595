package dev.tailor.netpol;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of connections: per protocol (TCP, UDP, SCTP — what NetworkPolicy ports name), the ports 1–65535 allowed.
 * Immutable; {@link #ALL} is every protocol and port ("All Connections").
 */
public final class PortSet {

    public static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    public static final PortSet NONE = new PortSet(new TreeMap<>());
    public static final PortSet ALL;

    static {
        Map<String, BitSet> all = new TreeMap<>();
        for (String p : PROTOCOLS) {
            BitSet b = new BitSet(65536);
            b.set(1, 65536);
            all.put(p, b);
        }
        ALL = new PortSet(all);
    }

    private final Map<String, BitSet> ports;

    private PortSet(Map<String, BitSet> ports) {
        this.ports = ports;
    }

    /** {@code protocol} ports {@code from}..{@code to} (inclusive). */
    public static PortSet of(String protocol, int from, int to) {
        Map<String, BitSet> m = new TreeMap<>();
        BitSet b = new BitSet();
        if (from >= 1 && to <= 65535 && from <= to) {
            b.set(from, to + 1);
        }
        m.put(protocol, b);
        return new PortSet(m);
    }

    /** Every port of a protocol. */
    public static PortSet all(String protocol) {
        return of(protocol, 1, 65535);
    }

    public PortSet union(PortSet o) {
        // The sets are immutable: the common cases share an operand instead of copying 8 KiB per protocol.
        if (this == NONE || o == ALL) {
            return o;
        }
        if (o == NONE || this == ALL) {
            return this;
        }
        Map<String, BitSet> m = copy();
        o.ports.forEach((p, b) -> m.computeIfAbsent(p, k -> new BitSet()).or(b));
        return new PortSet(m);
    }

    public PortSet intersect(PortSet o) {
        if (this == ALL || o == NONE) {
            return o;
        }
        if (o == ALL || this == NONE) {
            return this;
        }
        Map<String, BitSet> m = new TreeMap<>();
        ports.forEach((p, b) -> {
            BitSet other = o.ports.get(p);
            if (other != null) {
                BitSet c = (BitSet) b.clone();
                c.and(other);
                m.put(p, c);
            }
        });
        return new PortSet(m);
    }

    public boolean contains(String protocol, int port) {
        BitSet b = ports.get(protocol);
        return b != null && b.get(port);
    }

    public boolean isEmpty() {
        for (BitSet b : ports.values()) {
            if (!b.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private Map<String, BitSet> copy() {
        Map<String, BitSet> m = new TreeMap<>();
        ports.forEach((p, b) -> m.put(p, (BitSet) b.clone()));
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortSet other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** {@code All Connections}, {@code No Connections}, or like {@code TCP 80,443,UDP 53} (np-guard's notation). */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "No Connections";
        }
        if (PROTOCOLS.stream()
                .allMatch(p -> ports.containsKey(p) && ports.get(p).cardinality() == 65535)) {
            return "All Connections";
        }
        StringBuilder s = new StringBuilder();
        for (var e : ports.entrySet()) {
            BitSet b = e.getValue();
            if (b.isEmpty()) {
                continue;
            }
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(e.getKey()).append(' ');
            boolean first = true;
            for (int i = b.nextSetBit(0); i >= 0; ) {
                int end = b.nextClearBit(i) - 1;
                if (!first) {
                    s.append(',');
                }
                s.append(i == end ? String.valueOf(i) : i + "-" + end);
                first = false;
                i = b.nextSetBit(end + 1);
            }
        }
        return s.toString();
    }

    /** Parses {@link #toString()}'s notation back. */
    public static PortSet parse(String text) {
        String t = text.strip();
        if (t.equals("All Connections")) {
            return ALL;
        }
        if (t.equals("No Connections")) {
            return NONE;
        }
        PortSet out = NONE;
        String protocol = null;
        for (String part : t.split(",")) {
            String p = part.strip();
            int space = p.indexOf(' ');
            if (space > 0) {
                protocol = p.substring(0, space);
                p = p.substring(space + 1);
            }
            if (protocol == null) {
                throw new IllegalArgumentException("no protocol before " + p + " in " + text);
            }
            int dash = p.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
            out = out.union(of(protocol, from, to));
        }
        return out;
    }
}
