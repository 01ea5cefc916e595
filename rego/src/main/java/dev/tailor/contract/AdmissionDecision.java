package dev.tailor.contract;

import java.time.Instant;

/**
 * One line of the webhook's decision log: what it decided about one check of one admission request, or that it
 * found nothing ({@code check} "" and verdict {@code allowed}). The impact preview replays these to say what
 * enforce mode would have rejected.
 *
 * <pre>{"time":"2026-11-26T10:00:00Z","uid":"705ab4f5-…","namespace":"shop","workload":"deployment.api",
 *  "user":"alice","operation":"CREATE","kind":"Deployment","name":"api","mode":"audit",
 *  "check":"hostNamespaces","verdict":"warned","message":"hostNamespaces: host namespaces (hostNetwork=true)"}</pre>
 *
 * @param verdict {@code allowed}, {@code warned} (audit mode: would be denied in enforce mode), {@code denied} or
 *                {@code error}
 */
public record AdmissionDecision(
        Instant time,
        String uid,
        String namespace,
        String workload,
        String user,
        String operation,
        String kind,
        String name,
        String mode,
        String check,
        String verdict,
        String message) {

    /** What makes the line the same when read again: one request's verdict on one check. */
    public String key() {
        return uid + "/" + check;
    }
}
