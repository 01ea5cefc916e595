package dev.tailor.policy;

/** The policy could not be evaluated: the WASM trapped, ran out of memory, or no instance was free in time. */
public final class PolicyEvaluationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyEvaluationException(String message, Throwable cause) {
        super(message, cause);
    }

    public PolicyEvaluationException(String message) {
        super(message);
    }
}
