package dev.tailor.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The objects of a YAML or JSON file, as {@code kubectl get -o yaml|json} and manifests hold them. */
public final class Documents {
    private Documents() {}

    /**
     * The documents of {@code file} (a {@code .json} file read as JSON, any other as YAML), empty and null ones left
     * out. A file that is neither is an IOException naming it, with the line and column where it goes wrong.
     */
    public static List<JsonNode> read(Path file) throws IOException {
        ObjectMapper mapper = file.toString().endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(file.toFile())) {
            // hasNextValue/nextValue, not hasNext/next: those wrap a parse error in an unchecked exception.
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")";
            String what = e.getOriginalMessage() == null
                    ? ""
                    : e.getOriginalMessage().lines().findFirst().orElse("");
            throw new IOException(file + ": not YAML or JSON" + where + ": " + what, e);
        }
        return docs;
    }
}
