package dev.tailor.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.styra.opa.wasm.OpaPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tailor's Rego policies, compiled to WebAssembly by the OPA compiler at build time, evaluated in-process.
 *
 * <p>An {@link OpaPolicy} is stateful and not thread-safe, and instantiating one compiles the module, so the
 * engine keeps a fixed pool of instances — one per worker thread that may evaluate at once — created up front
 * and lent out per evaluation. {@code data} is loaded into each instance once and again only when
 * {@link #setData} publishes a newer version; an instance catches up the next time it is lent.
 *
 * <p>The same engine serves the webhook and the impact preview, so the two can never disagree.
 */
public final class PolicyEngine implements AdmissionPolicy {

    /** The compiled bundle on the classpath, written by {@code rego/build-policies}. */
    public static final String BUNDLED_WASM = "/dev/tailor/policy/policy.wasm";

    static final String VALIDATE = "tailor/admission/validate";
    static final String MUTATE = "tailor/admission/mutate";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Makes the instances that replace trapped ones, one at a time, off the request threads. */
    private static final java.util.concurrent.ExecutorService REPLACEMENTS = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tailor-policy-replacement");
                t.setDaemon(true);
                return t;
            });

    private final byte[] wasm;
    private final BlockingQueue<Instance> idle;
    private final Duration borrowTimeout;
    private final AtomicReference<DataVersion> data =
            new AtomicReference<>(new DataVersion(0, JsonNodeFactory.instance.objectNode()));

    private record DataVersion(long version, JsonNode json) {}

    private static final class Instance {
        final OpaPolicy policy;
        long dataVersion = -1;

        Instance(OpaPolicy policy) {
            this.policy = policy;
        }
    }

    private PolicyEngine(byte[] wasm, int instances, Duration borrowTimeout) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1, was " + instances);
        }
        this.wasm = wasm;
        this.borrowTimeout = borrowTimeout;
        this.idle = new ArrayBlockingQueue<>(instances);
        for (int i = 0; i < instances; i++) {
            idle.add(newInstance());
        }
    }

    private Instance newInstance() {
        OpaPolicy policy = OpaPolicy.builder().withPolicy(wasm).build();
        for (String entrypoint : List.of(VALIDATE, MUTATE)) {
            if (!policy.entrypoints().containsKey(entrypoint)) {
                throw new IllegalStateException("policy bundle has no entrypoint " + entrypoint
                        + " (has " + policy.entrypoints().keySet() + ")");
            }
        }
        return new Instance(policy);
    }

    /** Loads the policies compiled into this jar, with {@code instances} pooled instances. */
    public static PolicyEngine bundled(int instances, Duration borrowTimeout) {
        try (InputStream in = PolicyEngine.class.getResourceAsStream(BUNDLED_WASM)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED_WASM + " is not on the classpath: build rego/ with Maven");
            }
            return new PolicyEngine(in.readAllBytes(), instances, borrowTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + BUNDLED_WASM, e);
        }
    }

    /**
     * Publishes a new {@code data} document ({@code {"config": …, "approved": …}}); every instance uses it from
     * its next evaluation on.
     */
    public void setData(JsonNode newData) {
        data.updateAndGet(current -> new DataVersion(current.version() + 1, newData.deepCopy()));
    }

    /** The {@code data} document currently published. */
    public JsonNode data() {
        return data.get().json();
    }

    /**
     * Evaluates {@code tailor/admission/validate}.
     *
     * @param input {@code {"request": AdmissionRequest, "namespace": Namespace|null, "mode": "audit"|"enforce"}}
     */
    @Override
    public Decision validate(JsonNode input) {
        JsonNode result = evaluate(VALIDATE, input);
        List<Violation> violations = new ArrayList<>();
        for (JsonNode v : result.path("violations")) {
            List<String> fields = new ArrayList<>();
            v.path("fields").forEach(f -> fields.add(f.asText()));
            violations.add(new Violation(
                    v.path("check").asText(),
                    v.path("category").asText(),
                    v.path("reason").asText(),
                    v.path("detail").asText(""),
                    fields,
                    v.path("allowed").asText(""),
                    v.path("always").asBoolean(false)));
        }
        return new Decision(
                violations,
                result.path("podSecurity").path("level").asText(),
                result.path("podSecurity").path("version").asText(),
                result.path("workload").asText(""));
    }

    /** Evaluates {@code tailor/admission/mutate}: the JSON Patch operations for the request, possibly none. */
    @Override
    public List<JsonNode> mutate(JsonNode input) {
        List<JsonNode> ops = new ArrayList<>();
        evaluate(MUTATE, input).forEach(ops::add);
        return ops;
    }

    private JsonNode evaluate(String entrypoint, JsonNode input) {
        Instance instance;
        try {
            instance = idle.poll(borrowTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyEvaluationException("interrupted while waiting for a policy instance", e);
        }
        if (instance == null) {
            throw new PolicyEvaluationException("no policy instance free within " + borrowTimeout.toMillis() + " ms");
        }
        boolean trapped = true;
        try {
            DataVersion current = data.get();
            if (instance.dataVersion != current.version()) {
                instance.policy.data(current.json());
                instance.dataVersion = current.version();
            }
            String raw = instance.policy.entrypoint(entrypoint).evaluate(input);
            trapped = false;
            JsonNode results = JSON.readTree(raw);
            if (!results.isArray() || results.isEmpty()) {
                throw new PolicyEvaluationException(entrypoint + " is undefined for this input");
            }
            return results.get(0).path("result");
        } catch (JsonProcessingException e) {
            throw new PolicyEvaluationException(entrypoint + " returned JSON that does not parse", e);
        } catch (PolicyEvaluationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyEvaluationException(entrypoint + " failed: " + e.getMessage(), e);
        } finally {
            if (!trapped) {
                idle.add(instance);
            } else {
                // An instance that trapped may be in any state: a fresh one takes its place in the pool — made on
                // another thread (about a second of compiling), so a request that traps costs itself and no other.
                REPLACEMENTS.execute(() -> idle.add(newInstance()));
            }
        }
    }
}
