package dev.tailor.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
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
 * <p>A {@link WasmPolicy} instance is stateful and not thread-safe, so the engine keeps a fixed pool of instances —
 * one per worker thread that may evaluate at once — created up front and lent out per evaluation. The module was
 * compiled to JVM classes at build time, which every instance shares: an instance costs its own WebAssembly memory
 * (512 KiB to start) and a few milliseconds to make. {@code data} is loaded into each instance once and again only
 * when {@link #setData} publishes a newer version; an instance catches up the next time it is lent. An instance
 * whose memory an unusually large input grew past {@link #RETAINED_MEMORY} is replaced after that evaluation, so
 * one large review does not keep its memory for the life of the process.
 *
 * <p>The same engine serves the webhook and the impact preview, so the two can never disagree.
 */
public final class PolicyEngine implements AdmissionPolicy {

    /** The most memory one instance may use for one evaluation (a 3 MiB review parses into well under this). */
    static final int MAX_PAGES = 1024;
    /** An instance whose memory grew beyond this is replaced after the evaluation that grew it. */
    static final long RETAINED_MEMORY = 8L << 20;

    static final String VALIDATE = "tailor/admission/validate";
    static final String MUTATE = "tailor/admission/mutate";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Makes the instances that replace trapped ones, one at a time, off the request threads. */
    private static final java.util.concurrent.ExecutorService REPLACEMENTS =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tailor-policy-replacement");
                t.setDaemon(true);
                return t;
            });

    private final BlockingQueue<Instance> idle;
    private final Duration borrowTimeout;
    private final AtomicReference<DataVersion> data =
            new AtomicReference<>(DataVersion.of(0, JsonNodeFactory.instance.objectNode()));

    private record DataVersion(long version, JsonNode json, byte[] encoded) {
        static DataVersion of(long version, JsonNode json) {
            try {
                return new DataVersion(version, json, JSON.writeValueAsBytes(json));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("data does not serialize to JSON", e);
            }
        }
    }

    private static final class Instance {
        final WasmPolicy policy = new WasmPolicy(MAX_PAGES);
        final int validate = entrypoint(VALIDATE);
        final int mutate = entrypoint(MUTATE);
        long dataVersion = -1;

        private int entrypoint(String name) {
            Integer id = policy.entrypoints().get(name);
            if (id == null) {
                throw new IllegalStateException("policy module has no entrypoint " + name + " (has "
                        + policy.entrypoints().keySet() + ")");
            }
            return id;
        }
    }

    private PolicyEngine(int instances, Duration borrowTimeout) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1, was " + instances);
        }
        this.borrowTimeout = borrowTimeout;
        this.idle = new ArrayBlockingQueue<>(instances);
        for (int i = 0; i < instances; i++) {
            idle.add(new Instance());
        }
    }

    /** The policies compiled into this jar, with {@code instances} pooled instances. */
    public static PolicyEngine bundled(int instances, Duration borrowTimeout) {
        return new PolicyEngine(instances, borrowTimeout);
    }

    /** Which guard keeps the compiled module clear of Java 17's C2 miscompilation ({@link ChicoryWorkaround}). */
    public static String jitGuard() {
        return ChicoryWorkaround.description();
    }

    /**
     * Publishes a new {@code data} document ({@code {"config": …, "approved": …}}); every instance uses it from
     * its next evaluation on.
     */
    public void setData(JsonNode newData) {
        data.updateAndGet(current -> DataVersion.of(current.version() + 1, newData.deepCopy()));
    }

    /** The WebAssembly memory each idle instance holds (for tests: the pool keeps none that a large input grew). */
    List<Long> idleMemory() {
        return idle.stream().map(i -> i.policy.memoryBytes()).toList();
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
        return decision(evaluate(VALIDATE, input));
    }

    /** Evaluates {@code tailor/admission/mutate}: the JSON Patch operations for the request, possibly none. */
    @Override
    public List<JsonNode> mutate(JsonNode input) {
        return patch(evaluate(MUTATE, input));
    }

    /**
     * The same policies for threads that must never wait for an instance — the HTTP server's event loops: each
     * calling thread evaluates on an instance of its own, made on its first call and kept while it stays within
     * {@link #RETAINED_MEMORY} and has not trapped (otherwise it is dropped, and the thread's next call makes a new
     * one). Meant for a small fixed set of threads, each then holding one instance besides the pool's.
     */
    public AdmissionPolicy resident() {
        return resident;
    }

    private final ThreadLocal<Instance> ownInstance = new ThreadLocal<>();

    /** The WebAssembly memory the calling thread's resident instance holds, or -1 when it has none (for tests). */
    long residentMemory() {
        Instance own = ownInstance.get();
        return own == null ? -1 : own.policy.memoryBytes();
    }

    private final AdmissionPolicy resident = new AdmissionPolicy() {
        @Override
        public Decision validate(JsonNode input) {
            return decision(evaluateResident(VALIDATE, input));
        }

        @Override
        public List<JsonNode> mutate(JsonNode input) {
            return patch(evaluateResident(MUTATE, input));
        }
    };

    private JsonNode evaluateResident(String entrypoint, JsonNode input) {
        Instance instance = ownInstance.get();
        if (instance == null) {
            instance = new Instance();
            ownInstance.set(instance);
        }
        boolean reusable = false;
        try {
            JsonNode result = evaluate(instance, entrypoint, input);
            reusable = instance.policy.memoryBytes() <= RETAINED_MEMORY;
            return result;
        } finally {
            if (!reusable) {
                ownInstance.remove();
            }
        }
    }

    private static Decision decision(JsonNode result) {
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

    private static List<JsonNode> patch(JsonNode result) {
        List<JsonNode> ops = new ArrayList<>();
        result.forEach(ops::add);
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
        boolean reusable = false;
        try {
            JsonNode result = evaluate(instance, entrypoint, input);
            reusable = instance.policy.memoryBytes() <= RETAINED_MEMORY;
            return result;
        } finally {
            if (reusable) {
                idle.add(instance);
            } else {
                // An instance that trapped may be in any state, and one a large input grew holds that memory for
                // good: a fresh one takes its place in the pool, made on another thread, so the request that caused
                // it costs itself and no other.
                REPLACEMENTS.execute(() -> idle.add(new Instance()));
            }
        }
    }

    /** One evaluation on an instance this caller holds alone, with the {@code data} published last. */
    private JsonNode evaluate(Instance instance, String entrypoint, JsonNode input) {
        try {
            DataVersion current = data.get();
            if (instance.dataVersion != current.version()) {
                instance.policy.setData(current.encoded());
                instance.dataVersion = current.version();
            }
            byte[] raw =
                    instance.policy.evaluate(entrypoint.equals(VALIDATE) ? instance.validate : instance.mutate, input);
            JsonNode results = JSON.readTree(raw);
            if (!results.isArray() || results.isEmpty()) {
                throw new PolicyEvaluationException(entrypoint + " is undefined for this input");
            }
            return results.get(0).path("result");
        } catch (IOException e) {
            throw new PolicyEvaluationException(entrypoint + " returned JSON that does not parse", e);
        } catch (PolicyEvaluationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyEvaluationException(entrypoint + " failed: " + e.getMessage(), e);
        }
    }
}
