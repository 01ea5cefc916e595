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
        Exception other = new java.util.concurrent.TimeoutException("late");

        assertSame(io, thrownByJoin(IOException.class, io));
        assertSame(sql, thrownByJoin(SQLException.class, sql));
        assertSame(bad, thrownByJoin(IllegalArgumentException.class, bad));
        assertSame(other, thrownByJoin(IllegalStateException.class, other).getCause());
    }

    /** What join() throws for a stage that threw {@code thrown}. */
    private static <X extends Throwable> X thrownByJoin(Class<X> type, Exception thrown) {
        return assertThrows(
                type,
                () -> Background.start("failing", () -> {
                            throw thrown;
                        })
                        .join());
    }
}
