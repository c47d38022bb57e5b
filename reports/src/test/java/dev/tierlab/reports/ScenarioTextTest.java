package dev.tierlab.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScenarioTextTest {

    @Test
    void questionFromTheLeadingCommentBlock() {
        String yaml = """
                # Question: if all layer weights live on HBF, how much read
                # bandwidth must it deliver?
                name: x
                # a later comment is not the question
                """;
        assertEquals("if all layer weights live on HBF, how much read bandwidth must it deliver?", ScenarioText.question(yaml).orElseThrow());
    }

    @Test
    void questionKeyWinsAndPrecisionIsRead() {
        String yaml = """
                # header comment
                name: x
                question: "Does prefetch hide 10 us of latency?"
                precision: 0.02
                """;
        assertEquals("Does prefetch hide 10 us of latency?", ScenarioText.question(yaml).orElseThrow());
        assertEquals(0.02, ScenarioText.precision(yaml).getAsDouble(), 1e-12);
        assertEquals(0.03, ScenarioText.precision("precision: 3%\n").getAsDouble(), 1e-12);
        assertEquals("multi line", ScenarioText.question("question: >\n  multi\n  line\nname: y\n").orElseThrow());
        assertTrue(ScenarioText.question("name: x\n").isEmpty());
        assertTrue(ScenarioText.question("# tierlab: the scenario as run, from /x/s.yaml\n---\nname: x\n").isEmpty(),
                "the header tierlab writes is not a question");
        assertTrue(ScenarioText.precision("precision: lots\n").isEmpty());
    }

    @Test
    void lossTargetsComeFromTheScenarioInOrder() {
        assertArrayEquals(new double[] {0.022, 0.05, 0.1}, ScenarioText.targets("name: x\ntargets: [10%, 2.2%, 0.05]\n").orElseThrow(), 1e-12);
        assertArrayEquals(new double[] {0.022}, ScenarioText.targets("name: x\ntargets:\n- 2.2%\n").orElseThrow(), 1e-12,
                "the block style a run's scenario.yaml is written in");
        assertTrue(ScenarioText.targets("name: x\n").isEmpty());
        assertTrue(ScenarioText.targets("name: x\ntargets: [150%]\n").isEmpty());
        assertEquals("2.2%", Requirements.pct(0.022));
        assertEquals("10%", Requirements.pct(0.10));
    }
}
