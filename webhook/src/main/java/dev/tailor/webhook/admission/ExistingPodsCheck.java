package dev.tailor.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.Mode;
import dev.tailor.policy.AdmissionPolicy;
import dev.tailor.policy.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a namespace switched to enforce already runs, judged as enforce mode would judge it new — as Pod Security
 * Admission warns when a namespace's enforce level is tightened: at most {@value #EXISTING_LIMIT} pods, within
 * {@value #EXISTING_BUDGET_MILLIS} ms (the list included, so a slow API server costs the admin's kubectl annotate at
 * most that, never the webhook's own deadline), saying so when it stopped early.
 */
final class ExistingPodsCheck {

    /** At most this many existing pods are checked when a namespace is switched to enforce, within {@link #EXISTING_BUDGET_MILLIS}. */
    static final int EXISTING_LIMIT = 200;

    static final long EXISTING_BUDGET_MILLIS = 2000;
    static final int LIST_THREADS = 4;

    /** Lists of existing pods, at most {@value #LIST_THREADS} at a time, off the request's thread. */
    private static final java.util.concurrent.ExecutorService LISTS = new java.util.concurrent.ThreadPoolExecutor(
            0,
            LIST_THREADS,
            30,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "tailor-existing-pods");
                t.setDaemon(true);
                return t;
            });

    private final AdmissionPolicy engine;
    private final ExistingPods existingPods;

    ExistingPodsCheck(AdmissionPolicy engine, ExistingPods existingPods) {
        this.engine = engine;
        this.existingPods = existingPods;
    }

    /** The warnings for whoever switched {@code name} to enforce; {@code enforcing} is the namespace as it will be. */
    List<String> warnings(String name, JsonNode enforcing) {
        List<String> warnings = new ArrayList<>();
        long deadline = System.nanoTime() + EXISTING_BUDGET_MILLIS * 1_000_000;
        java.util.concurrent.Future<ExistingPods.Page> listing = null;
        try {
            // The list is an API call: bounded by the same budget, so a slow API server costs the admin's kubectl
            // annotate at most the budget, never the webhook's own 5 s deadline (an HTTP 500 for the switch).
            listing = LISTS.submit(() -> existingPods.list(name, EXISTING_LIMIT));
            ExistingPods.Page page = listing.get(EXISTING_BUDGET_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            warnings.addAll(judged(name, enforcing, page, deadline));
        } catch (java.util.concurrent.TimeoutException e) {
            listing.cancel(true);
            warnings.add("[tailor] the existing pods could not be listed within " + EXISTING_BUDGET_MILLIS
                    + " ms: none was checked (kubectl get pods shows them; enforce mode judges each new one)");
        } catch (java.util.concurrent.RejectedExecutionException e) {
            warnings.add("[tailor] the existing pods were not checked: " + LIST_THREADS
                    + " other switches are being checked");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            warnings.add("[tailor] the existing pods could not be checked (interrupted)");
        } catch (Exception e) {
            Throwable cause =
                    e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            warnings.add("[tailor] the existing pods could not be checked (" + cause.getMessage() + ")");
        }
        return warnings;
    }

    /** The existing pods judged as enforce mode would judge them new: one warning a check, and how far it got. */
    private List<String> judged(String name, JsonNode enforcing, ExistingPods.Page page, long deadline) {
        List<String> warnings = new ArrayList<>();
        Map<String, List<String>> podsByCheck = new java.util.TreeMap<>();
        int checked = 0;
        for (JsonNode pod : page.pods()) {
            if (System.nanoTime() > deadline) {
                break;
            }
            checked++;
            for (Violation v : engine.validate(AdmissionHandler.input(asCreated(name, pod), enforcing, Mode.ENFORCE))
                    .violations()) {
                podsByCheck
                        .computeIfAbsent(v.check(), k -> new ArrayList<>())
                        .add(pod.path("metadata").path("name").asText());
            }
        }
        podsByCheck.forEach((check, pods) ->
                warnings.add("[tailor] existing pods enforce mode would reject: " + pods.get(0)
                        + (pods.size() > 1
                                ? " (and " + (pods.size() - 1) + " other pod" + (pods.size() > 2 ? "s" : "") + ")"
                                : "")
                        + ": " + check));
        if (checked < page.pods().size() || page.more()) {
            warnings.add("[tailor] checked " + checked + " existing pods and stopped early (at most " + EXISTING_LIMIT
                    + " pods, " + EXISTING_BUDGET_MILLIS + " ms): others may be rejected too");
        } else if (podsByCheck.isEmpty() && checked > 0) {
            warnings.add("[tailor] checked " + checked + " existing pods: enforce mode would reject none of them");
        }
        return warnings;
    }

    /** An existing pod as the request that would create it. */
    private static ObjectNode asCreated(String namespace, JsonNode pod) {
        String name = pod.path("metadata").path("name").asText();
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("uid", "existing-" + name);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.put("namespace", namespace).put("name", name).put("operation", "CREATE");
        request.set("object", pod);
        return request;
    }
}
