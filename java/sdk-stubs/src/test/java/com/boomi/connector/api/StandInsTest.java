package com.boomi.connector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The stand-ins behave as Boomi's SDK 2.3.0 does where the project relies on it (facts read from
 * Boomi's jars and its test kit): otherwise tests against them would pass for the wrong reason.
 */
class StandInsTest {
    @Test
    void connectorExceptionMessageHasTheCodeThenTheMessageThenTheCause() {
        assertEquals("[AUTH] rejected", new ConnectorException("AUTH", "rejected").getMessage());
        assertEquals("rejected", new ConnectorException("rejected").getMessage());
        assertEquals("rejected", new ConnectorException(" ", "rejected").getMessage());
        IllegalStateException cause = new IllegalStateException("rejected");
        assertEquals("[AUTH] rejected: java.lang.IllegalStateException: rejected",
                new ConnectorException("AUTH", "rejected", cause).getMessage());
        ConnectorException e = new ConnectorException("AUTH", "rejected", cause);
        assertEquals("rejected", e.getStatusMessage());
        assertEquals("AUTH", e.getStatusCode());
    }

    @Test
    void deleteRequiresAnInputProfileAndMayHaveAnOutput() {
        assertEquals(EnumSet.of(ObjectDefinitionRole.INPUT, ObjectDefinitionRole.OUTPUT),
                OperationType.DELETE.getSupportedDefinitionRoles());
        assertEquals(EnumSet.of(ObjectDefinitionRole.INPUT), OperationType.DELETE.getRequiredDefinitionRoles());
    }

    @Test
    void safeGetExpressionIsNeverNull() {
        QueryFilter filter = new QueryFilter();
        assertSame(Expression.EMPTY_INSTANCE, filter.safeGetExpression());
        assertEquals(null, filter.getExpression());
        SimpleExpression simple = new SimpleExpression().withProperty("id").withOperator("eq");
        assertSame(simple, filter.withExpression(simple).safeGetExpression());
    }

    @Test
    void payloadUtilCannotBeInstantiated() {
        Constructor<?>[] constructors = PayloadUtil.class.getDeclaredConstructors();
        assertEquals(1, constructors.length);
        assertTrue(Modifier.isPrivate(constructors[0].getModifiers()));
    }

    @Test
    void fieldSpecFieldsAreNotSelectedUnlessSet() {
        assertFalse(new FieldSpecField().isSelected());
        assertTrue(new FieldSpecField().withSelected(true).isSelected());
        assertNotNull(new FieldSpecField().withSelected(false));
    }

    @Test
    void atomProxyConfigHasTheEightGettersOf230() {
        assertEquals(8, AtomProxyConfig.class.getDeclaredMethods().length);
    }
}
