package dev.tailor.webhook.admission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bad-input table: every malformed review is a 400 that names the problem (and the UID when known). */
class AdmissionReviewsTest {

    private static final String UID = "705ab4f5-6393-11e8-b7cc-42010a800002";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON                 | {"apiVersion": |  | body is not JSON
            a JSON array             | []  |  | body is not a JSON object
            wrong apiVersion         | {"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002"}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | apiVersion must be admission.k8s.io/v1
            wrong kind               | {"apiVersion":"admission.k8s.io/v1","kind":"Pod"} |  | kind must be AdmissionReview
            no request               | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"} |  | request is missing
            no uid                   | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"},"operation":"CREATE","object":{}}} |  | request.uid is missing
            no object                | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"CREATE"}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.object is missing
            no kind                  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","operation":"CREATE","object":{}}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.kind.kind is missing
            unknown operation        | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"PATCH","object":{}}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.operation must be
            delete without oldObject | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"DELETE","object":null}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.oldObject is missing
            trailing garbage         | {"apiVersion":"admission.k8s.io/v1"} x |  | body is not JSON
            duplicate key            | {"apiVersion":"admission.k8s.io/v1","apiVersion":"admission.k8s.io/v1"} |  | body is not JSON: Duplicate field 'apiVersion'
            duplicate key deep down  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[{"securityContext":{"privileged":false,"privileged":true}}]}}}} |  | body is not JSON: Duplicate field 'privileged'
            a number of 2^64         | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"CREATE","object":{"spec":{"containers":[{"ports":[{"containerPort":18446744073709551616}]}]}}}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.object.spec.containers[0].ports[0].containerPort is a number outside the 64-bit range
            a number beyond doubles  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"CREATE","object":{"x":1e400}}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.object.x is a number outside the 64-bit range
            a number below -2^63     | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"CREATE","object":{"x":[1,-9223372036854775809]}}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | request.object.x[1] is a number outside the 64-bit range
            one outside the request  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","extra":-1e999,"request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"kind":"Pod"},"operation":"CREATE","object":{}}} | 705ab4f5-6393-11e8-b7cc-42010a800002 | extra is a number outside the 64-bit range
            JSON ends after the number | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","x":1e999 |  | body is not JSON
            """)
    void malformedReviewIsA400NamingTheProblem(String what, String body, String uid, String message) {
        BadReviewException e = assertThrows(
                BadReviewException.class, () -> AdmissionReviews.decodeRequest(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertEquals(uid == null ? "" : uid, e.uid());
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void numbersKubernetesWritesAreRead() throws Exception {
        String body =
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"" + UID
                        + "\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":{\"a\":9223372036854775807,"
                        + "\"b\":-9223372036854775808,\"c\":0.5,\"d\":1e300}}}";
        assertEquals(
                UID,
                AdmissionReviews.decodeRequest(body.getBytes(StandardCharsets.UTF_8))
                        .path("uid")
                        .asText());
    }

    @Test
    void bodyOverTheCapIsA413() {
        byte[] big = new byte[1025];
        BadReviewException e = assertThrows(
                BadReviewException.class, () -> AdmissionReviews.readCapped(new ByteArrayInputStream(big), 1024));
        assertEquals(413, e.status());
    }

    @Test
    void bodyAtTheCapIsRead() throws Exception {
        assertEquals(1024, AdmissionReviews.readCapped(new ByteArrayInputStream(new byte[1024]), 1024).length);
    }

    @Test
    void anAnnouncedBodyIsReadWholeAndNoLonger() throws Exception {
        byte[] body = "{\"kind\":\"AdmissionReview\"}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(
                body, AdmissionReviews.readCapped(new ByteArrayInputStream(body), 1024, body.length), "exactly");
        assertArrayEquals(
                java.util.Arrays.copyOf(body, 5),
                AdmissionReviews.readCapped(new ByteArrayInputStream(body, 0, 5), 1024, body.length),
                "what arrived of a body that ended early");
        BadReviewException longer = assertThrows(
                BadReviewException.class,
                () -> AdmissionReviews.readCapped(new ByteArrayInputStream(body), 1024, body.length - 1));
        assertEquals(400, longer.status());
        BadReviewException over = assertThrows(
                BadReviewException.class,
                () -> AdmissionReviews.readCapped(new ByteArrayInputStream(new byte[2048]), 1024, 2048));
        assertEquals(413, over.status(), "an announced length over the cap is read as an unannounced one");
    }

    @Test
    void deeplyNestedJsonIsRejected() {
        String deep = "{\"apiVersion\":\"admission.k8s.io/v1\",\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
        BadReviewException e = assertThrows(
                BadReviewException.class, () -> AdmissionReviews.decodeRequest(deep.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
    }

    @Test
    void deniedCarriesUidAnd403() {
        var review = AdmissionReviews.denied(UID, "tailor: 1 violation: privileged: privileged");
        assertEquals(UID, review.path("response").path("uid").asText());
        assertEquals(403, review.path("response").path("status").path("code").asInt());
        assertEquals("admission.k8s.io/v1", review.path("apiVersion").asText());
    }
}
