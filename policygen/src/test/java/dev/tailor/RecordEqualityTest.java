package dev.tailor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tailor.identity.Workload;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.observe.flows.NetworkEdge;
import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The records whose equals and hashCode are written out by hand (they are hashed once an event): two instances are
 * equal, with the same hash, when every component is, and unequal when any one differs — so a component added later
 * and left out of them fails here.
 */
class RecordEqualityTest {

    @Test
    void equalsAndHashCodeTakeEveryComponent() throws Exception {
        for (Class<?> type : List.of(Workload.class, NetworkEdge.class, ApiAccess.class)) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = java.util.Arrays.stream(components)
                    .map(RecordComponent::getType)
                    .toArray(Class<?>[]::new);
            var constructor = type.getDeclaredConstructor(types);
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                values[i] = value(types[i], i, false);
            }
            Object base = constructor.newInstance(values);
            Object same = constructor.newInstance(values.clone());
            assertEquals(base, same, type.getSimpleName());
            assertEquals(base.hashCode(), same.hashCode(), type.getSimpleName());
            for (int i = 0; i < components.length; i++) {
                Object[] changed = values.clone();
                changed[i] = value(types[i], i, true);
                Object other = constructor.newInstance(changed);
                assertNotEquals(base, other, type.getSimpleName() + "." + components[i].getName());
                assertNotEquals(
                        base.hashCode(), other.hashCode(), type.getSimpleName() + "." + components[i].getName());
                changed[i] = null;
                if (!types[i].isPrimitive()) {
                    Object withNull = constructor.newInstance(changed);
                    assertNotEquals(base, withNull, type.getSimpleName() + "." + components[i].getName() + " null");
                    assertEquals(withNull, constructor.newInstance(changed.clone()));
                }
            }
            assertNotEquals(base, null);
            assertNotEquals(base, "not a " + type.getSimpleName());
        }
    }

    private static Object value(Class<?> type, int index, boolean other) {
        if (type == int.class) {
            return other ? 8080 + index : 443;
        }
        if (type == boolean.class) {
            return other;
        }
        return (other ? "other-" : "value-") + index;
    }
}
