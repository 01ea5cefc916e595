package dev.tailor.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The two admission decisions Tailor's policies make; {@link PolicyEngine} is the implementation. */
public interface AdmissionPolicy {

    /**
     * The violations of an admission request.
     *
     * @param input {@code {"request": AdmissionRequest, "namespace": Namespace|null, "mode": "audit"|"enforce"}}
     * @throws PolicyEvaluationException when the policy cannot be evaluated
     */
    Decision validate(JsonNode input);

    /** The JSON Patch operations for an admission request, possibly none. */
    List<JsonNode> mutate(JsonNode input);
}
