package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvSafetyTest {

    @Test
    void shouldNeutralizeFormulaStartersAndRestoreThemExactly() {
        for (String value : new String[] {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "plain", "a=b", ""}) {
            String cell = CsvSafety.neutralize(value);
            if (!value.isEmpty() && "=+-@\t\r'".indexOf(value.charAt(0)) >= 0) {
                assertThat(cell).isEqualTo("'" + value);
            } else {
                assertThat(cell).isEqualTo(value);
            }
            assertThat(CsvSafety.restore(cell)).isEqualTo(value);
        }
    }
}
