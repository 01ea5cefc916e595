package dev.tailor.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class BackgroundTest {

    @Test
    void theResultComesFromAnotherThread() throws Exception {
        Background<String> work =
                Background.start("test", () -> Thread.currentThread().getName());

        String ranOn = work.join();

        assertEquals("tailor-test", ranOn);
        assertNotEquals(Thread.currentThread().getName(), ranOn);
    }

    @Test
    void aFailureIsThrownAgainAsItWasThrown() {
        IOException io = new IOException("cannot read policies/x.yaml");
        SQLException sql = new SQLException("the store is locked");
        IllegalArgumentException bad = new IllegalArgumentException("no such window");

        assertSame(
                io,
                assertThrows(
                        IOException.class,
                        () -> Background.start("io", () -> {
                                    throw io;
                                })
                                .join()));
        assertSame(
                sql,
                assertThrows(
                        SQLException.class,
                        () -> Background.start("sql", () -> {
                                    throw sql;
                                })
                                .join()));
        assertSame(
                bad,
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Background.start("bad", () -> {
                                    throw bad;
                                })
                                .join()));
        Exception other = new java.util.concurrent.TimeoutException("late");
        assertSame(
                other,
                assertThrows(
                                IllegalStateException.class,
                                () -> Background.start("other", () -> {
                                            throw other;
                                        })
                                        .join())
                        .getCause());
    }
}
