package dev.tailor.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * OTLP/HTTP logs — what the OpenTelemetry Collector, Fluent Bit, Vector and Alloy send — as the lines their records
 * carry: a collector's filelog receiver makes one record per line of the file it tails (the Hubble exporter's, the
 * log enricher's), its body that line as a string. Both encodings OTLP/HTTP has: protobuf
 * ({@code application/x-protobuf}, the exporters' default) and JSON ({@code application/json}). A record whose body
 * is no string is counted, not guessed at.
 */
final class OtlpLogs {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private OtlpLogs() {}

    /** The lines, newline-terminated, and how many records were not one. */
    record Lines(byte[] text, long records, long notText) {}

    static boolean protobuf(String contentType) {
        return contentType != null
                && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-protobuf");
    }

    /** @throws IOException naming what is wrong, when the body is no ExportLogsServiceRequest */
    static Lines read(byte[] body, String contentType) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream(body.length);
        long records = 0;
        long notText = 0;
        if (protobuf(contentType)) {
            ExportLogsServiceRequest request;
            try {
                request = ExportLogsServiceRequest.parseFrom(body);
            } catch (InvalidProtocolBufferException e) {
                throw new IOException("not an OTLP ExportLogsServiceRequest (protobuf): " + e.getMessage());
            }
            for (ResourceLogs resource : request.getResourceLogsList()) {
                for (ScopeLogs scope : resource.getScopeLogsList()) {
                    for (LogRecord record : scope.getLogRecordsList()) {
                        records++;
                        if (record.getBody().hasStringValue()) {
                            line(lines, record.getBody().getStringValue());
                        } else {
                            notText++;
                        }
                    }
                }
            }
        } else {
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException("not an OTLP ExportLogsServiceRequest (JSON): " + e.getOriginalMessage());
            }
            if (request == null
                    || !request.isObject()
                    || !request.path("resourceLogs").isArray()) {
                throw new IOException("not an OTLP ExportLogsServiceRequest (JSON): no resourceLogs array");
            }
            for (JsonNode resource : request.path("resourceLogs")) {
                for (JsonNode scope : resource.path("scopeLogs")) {
                    for (JsonNode record : scope.path("logRecords")) {
                        records++;
                        JsonNode text = record.path("body").path("stringValue");
                        if (text.isTextual()) {
                            line(lines, text.asText());
                        } else {
                            notText++;
                        }
                    }
                }
            }
        }
        return new Lines(lines.toByteArray(), records, notText);
    }

    private static void line(ByteArrayOutputStream lines, String text) {
        // A body is one line; one that holds a newline is still one event's text (an exporter never splits one).
        byte[] bytes = text.replace('\n', ' ').getBytes(StandardCharsets.UTF_8);
        lines.write(bytes, 0, bytes.length);
        lines.write('\n');
    }

    /** The answer OTLP/HTTP expects, in the request's encoding: empty, or a partial success with the rejected. */
    static byte[] response(String contentType, long rejected, String message) {
        if (protobuf(contentType)) {
            ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
            if (rejected > 0) {
                response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                        .setRejectedLogRecords(rejected)
                        .setErrorMessage(message));
            }
            return response.build().toByteArray();
        }
        var json = JSON.createObjectNode();
        if (rejected > 0) {
            json.putObject("partialSuccess")
                    .put("rejectedLogRecords", String.valueOf(rejected))
                    .put("errorMessage", message);
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
