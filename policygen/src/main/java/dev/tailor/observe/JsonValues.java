package dev.tailor.observe;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Values as the streaming readers take them from Jackson's parser, the parser on the value's first token. */
public final class JsonValues {
    private JsonValues() {}

    /** A scalar's text ("" for null); an object or array is skipped and reads as "". */
    public static String text(JsonParser p, JsonToken value) throws IOException {
        if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
            return p.getText();
        }
        p.skipChildren();
        return "";
    }

    /** A string's text; anything else is skipped and reads as null. */
    public static String string(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }
}
