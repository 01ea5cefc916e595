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
        List<String> forms = List.of(
                "2017-09-11T20:12:11.297083Z",
                "2017-09-11T20:12:11Z",
                "2023-04-17T19:34:10.123456789Z",
                "2024-02-29T23:59:59.9Z",
                "1970-01-01T00:00:00Z",
                "2026-11-16T00:00:00.000Z",
                "2017-09-11T20:12:11+02:00",
                "2016-12-31T23:59:60Z",
                "2017-09-11T20:12:11.Z",
                "0001-01-01T00:00:00Z");
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
    void epochDaysAreLocalDates() {
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 200_000; i++) {
            java.time.LocalDate date =
                    java.time.LocalDate.ofEpochDay(random.nextInt(2_932_897) - 719_528); // years 0–9999
            assertEquals(
                    date.toEpochDay(),
                    Times.epochDay(date.getYear(), date.getMonthValue(), date.getDayOfMonth()),
                    date.toString());
        }
        for (int year : List.of(1600, 1700, 1900, 1969, 1970, 2000, 2024, 2100, 2400)) {
            for (int month = 1; month <= 12; month++) {
                java.time.LocalDate last = java.time.YearMonth.of(year, month).atEndOfMonth();
                assertEquals(last.toEpochDay(), Times.epochDay(year, month, last.getDayOfMonth()), last.toString());
                assertEquals(last.withDayOfMonth(1).toEpochDay(), Times.epochDay(year, month, 1));
            }
        }
    }

    @Test
    void refusesWhatInstantParseRefuses() {
        for (String s : List.of(
                "2017-02-29T20:12:11Z",
                "2017-13-11T20:12:11Z",
                "2017-09-11T24:12:11Z",
                "2017-09-11T2a:12:11Z",
                "2017-09-11 20:12:11Z",
                "yesterday",
                "2017-09-11T20:12:11.1234567890Z")) {
            assertThrows(DateTimeParseException.class, () -> Instant.parse(s), s);
            assertThrows(DateTimeParseException.class, () -> Times.parse(s), s);
        }
    }

    /** Audit timestamps as kube-apiserver writes them: six fractional digits, zeros kept (other tools expect them). */
    @org.junit.jupiter.api.Test
    void auditTimesHaveSixFractionalDigitsAsTheApiServerWritesThem() {
        org.junit.jupiter.api.Assertions.assertEquals(
                "2026-11-16T10:00:00.000000Z", Times.micro(java.time.Instant.parse("2026-11-16T10:00:00Z")));
        org.junit.jupiter.api.Assertions.assertEquals(
                "2026-11-16T10:00:00.123400Z", Times.micro(java.time.Instant.parse("2026-11-16T10:00:00.1234Z")));
        org.junit.jupiter.api.Assertions.assertEquals(
                java.time.Instant.parse("2026-11-16T10:00:00.1234Z"), Times.parse("2026-11-16T10:00:00.123400Z"));
    }
}
