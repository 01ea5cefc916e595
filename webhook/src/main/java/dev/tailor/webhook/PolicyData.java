package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The OPA {@code data} document the policies read, built from the configuration:
 *
 * <pre>{"config": {"podSecurity": {"defaultLevel": "baseline"},
 *             "admins": {"users": [], "groups": ["system:masters", "tailor-admins"]},
 *             "approvers": {"users": ["system:serviceaccount:flux-system:kustomize-controller"], "groups": []},
 *             "rbac": {"exemptSubjects": [{"kind": "User", "name": "system:apiserver"}]}},
 *  "approved": {"workloads": {}}}</pre>
 *
 * The default mode is not among them: which mode applies is resolved once, by the webhook ({@code Mode.selectedBy}),
 * and handed to the policies in each request's input.
 */
public final class PolicyData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyData() {}

    public static ObjectNode from(TailorConfig config) {
        ObjectNode data = JSON.createObjectNode();
        ObjectNode c = data.putObject("config");
        c.putObject("podSecurity").put("defaultLevel", config.podSecurity().defaultLevel());
        ObjectNode admins = c.putObject("admins");
        config.admins().users().orElse(List.of()).forEach(admins.putArray("users")::add);
        if (!admins.has("users")) {
            admins.putArray("users");
        }
        ArrayNode groups = admins.putArray("groups");
        config.admins().groups().forEach(groups::add);
        ObjectNode approvers = c.putObject("approvers");
        ArrayNode approverUsers = approvers.putArray("users");
        config.approvers().users().orElse(List.of()).forEach(approverUsers::add);
        ArrayNode approverGroups = approvers.putArray("groups");
        config.approvers().groups().orElse(List.of()).forEach(approverGroups::add);
        ArrayNode exempt = c.putObject("rbac").putArray("exemptSubjects");
        for (String subject : config.rbac().exemptSubjects()) {
            exempt.add(parseSubject(subject));
        }
        data.set("approved", config.approvedFile().map(PolicyData::readApproved).orElseGet(() -> {
            ObjectNode empty = JSON.createObjectNode();
            empty.putObject("workloads");
            return empty;
        }));
        return data;
    }

    /** {@code User:NAME}, {@code Group:NAME} or {@code ServiceAccount:NAMESPACE:NAME}. */
    static ObjectNode parseSubject(String subject) {
        ObjectNode node = JSON.createObjectNode();
        int colon = subject.indexOf(':');
        String kind = colon < 0 ? "" : subject.substring(0, colon);
        String rest = colon < 0 ? "" : subject.substring(colon + 1);
        switch (kind) {
            case "User", "Group" -> node.put("kind", kind).put("name", rest);
            case "ServiceAccount" -> {
                int second = rest.indexOf(':');
                if (second <= 0 || second == rest.length() - 1) {
                    throw new IllegalArgumentException(
                            "tailor.rbac.exempt-subjects: \"" + subject + "\" must be ServiceAccount:NAMESPACE:NAME");
                }
                node.put("kind", kind)
                        .put("namespace", rest.substring(0, second))
                        .put("name", rest.substring(second + 1));
            }
            default ->
                throw new IllegalArgumentException("tailor.rbac.exempt-subjects: \"" + subject
                        + "\" must start with User:, Group: or ServiceAccount:");
        }
        if (node.path("name").asText().isEmpty()) {
            throw new IllegalArgumentException("tailor.rbac.exempt-subjects: \"" + subject + "\" names nobody");
        }
        return node;
    }

    private static JsonNode readApproved(Path file) {
        try {
            JsonNode approved = JSON.readTree(Files.readAllBytes(file));
            if (approved == null || !approved.path("workloads").isObject()) {
                throw new IllegalArgumentException("tailor.approved-file " + file + ": expected {\"workloads\": {…}}");
            }
            return approved;
        } catch (IOException e) {
            throw new UncheckedIOException("tailor.approved-file " + file + ": " + e.getMessage(), e);
        }
    }
}
