package dev.tailor.webhook;

/** At most {@code burst} takes at once, refilled at {@code perSecond}: a bound on how often something is done. */
final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long at;

    TokenBucket(double perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.at = System.nanoTime();
    }

    /** Takes one token if there is one now. */
    synchronized boolean take() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - at) * perNano);
        at = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
