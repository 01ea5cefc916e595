package dev.tailor.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimesTest {

    @Test
    void sameInstantsAsInstantParse() {
        List<String> forms = List.of("2017-09-11T20:12:11.297083Z", "2017-09-11T20:12:11Z", "2023-04-17T19:34:10.123456789Z",
                "2024-02-29T23:59:59.9Z", "1970-01-01T00:00:00Z", "2026-11-16T00:00:00.000Z", "2017-09-11T20:12:11+02:00",
                "2016-12-31T23:59:60Z", "2017-09-11T20:12:11.Z", "0001-01-01T00:00:00Z");
        for (String s : forms) {
            assertEquals(Instant.parse(s), Times.parse(s), s);
        }
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE), random.nextInt(1_000_000_000));
            assertEquals(t, Times.parse(t.toString()), t.toString());
        }
    }

    @Test
    void refusesWhatInstantParseRefuses() {
        for (String s : List.of("2017-02-29T20:12:11Z", "2017-13-11T20:12:11Z", "2017-09-11T24:12:11Z",
                "2017-09-11T2a:12:11Z", "2017-09-11 20:12:11Z", "yesterday", "2017-09-11T20:12:11.1234567890Z")) {
            assertThrows(DateTimeParseException.class, () -> Instant.parse(s), s);
            assertThrows(DateTimeParseException.class, () -> Times.parse(s), s);
        }
    }
}
