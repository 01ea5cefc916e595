package dev.tailor.observe.flows;

import java.time.Instant;

/**
 * One flow from Hubble ({@code hubble observe -o json} or the Hubble exporter).
 *
 * @param verdict   FORWARDED, DROPPED, REDIRECTED, AUDIT, ERROR …
 * @param direction INGRESS, EGRESS or "" (L7 records carry none)
 * @param reply     true for the reply direction of a connection: it must never become an allow rule of its own
 * @param protocol  TCP, UDP, SCTP, ICMPv4, ICMPv6 or "" when the flow has no L4 part
 * @param port      destination port, 0 when the protocol has none
 * @param type      L3_L4, L7, …
 * @param dnsQuery  the DNS name queried, for DNS L7 records; "" otherwise
 * @param fingerprintHigh what makes a flow record the same record when it is read again, with
 *                  {@code fingerprintLow}: the fingerprint ({@link dev.tailor.observe.Keys#fingerprintOfHash}) of the
 *                  128-bit MurmurHash3 of its {@code flow} object's text; re-ingesting the same file, or the same
 *                  flow from the exporter and from {@code hubble observe}, counts it once; (0, 0) — which no
 *                  fingerprint is — for a reply or a flow without L4, which aggregates into nothing and is never stored
 */
public record Flow(
        long fingerprintHigh,
        long fingerprintLow,
        Instant time,
        String verdict,
        String direction,
        boolean reply,
        String protocol,
        int port,
        Endpoint source,
        Endpoint destination,
        String type,
        String dnsQuery) {}
