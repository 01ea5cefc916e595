package dev.tailor.webhook.decisions;

import java.time.Instant;

/**
 * One line of the decision log: what the webhook decided about one check of one admission request, or that
 * it found nothing ({@code check} "" and verdict {@code allowed}). Later issues replay these to preview what
 * enforce mode would have rejected.
 *
 * <pre>{"time":"2026-11-26T10:00:00Z","uid":"705ab4f5-…","namespace":"shop","workload":"deployment.api",
 *  "user":"alice","operation":"CREATE","kind":"Deployment","name":"api","mode":"audit",
 *  "check":"hostNamespaces","verdict":"warned","message":"hostNamespaces: host namespaces (hostNetwork=true)"}</pre>
 *
 * @param verdict {@code allowed}, {@code warned} (audit mode: would be denied in enforce mode), {@code denied} or
 *                {@code error}
 */
public record DecisionRecord(
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
        String message) {}
