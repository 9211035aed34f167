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

    @Test
    void shouldNeutralizeAFormulaBehindLeadingWhitespaceSpreadsheetsTrim() {
        // spaces, a line feed, the Unicode line and paragraph separators, no-break, ideographic and em spaces, a BOM
        for (String blank : new String[] {" ", "   ", "\n", " \n ", "\u2028", "\u2029", "\u00A0", "\u3000", "\u2003", "\uFEFF",
                "\u0085", "\u000B", "\f"}) {
            for (String formula : new String[] {"=HYPERLINK(\"http://evil\")", "+1", "-1", "@SUM(A1)", "'x"}) {
                String value = blank + formula;
                String cell = CsvSafety.neutralize(value);

                assertThat(cell).as("%s", value.codePoints().limit(3).boxed().toList()).isEqualTo("'" + value);
                assertThat(CsvSafety.restore(cell)).isEqualTo(value);
            }
        }
    }

    @Test
    void shouldNeutralizeFullwidthFormulaStartersThatSpreadsheetsNormalize() {
        for (String value : new String[] {"＝1+1", "＋1", "－1", "＠SUM(A1)", " ＝1+1", "\u2028＠x"}) {
            String cell = CsvSafety.neutralize(value);

            assertThat(cell).isEqualTo("'" + value);
            assertThat(CsvSafety.restore(cell)).isEqualTo(value);
        }
    }

    @Test
    void shouldLeaveValuesWhoseFirstVisibleCharacterStartsNoFormula() {
        for (String value : new String[] {" plain", "\n\nline", "a =b", " a-b", "\u00A0x", "   ", "\u2028"}) {
            assertThat(CsvSafety.neutralize(value)).isEqualTo(value);
        }
    }

    @Test
    void shouldKeepTheFirstCharacterRuleOfEarlierReportsForReadingThem() {
        assertThat(CsvSafety.neutralize(" =1", CsvSafety.Guard.FIRST_CHARACTER)).isEqualTo(" =1");
        assertThat(CsvSafety.neutralize("＝1", CsvSafety.Guard.FIRST_CHARACTER)).isEqualTo("＝1");
        assertThat(CsvSafety.neutralize("=1", CsvSafety.Guard.FIRST_CHARACTER)).isEqualTo("'=1");
        assertThat(CsvSafety.Guard.ofManifestName("")).isEqualTo(CsvSafety.Guard.FIRST_CHARACTER);
        assertThat(CsvSafety.Guard.ofManifestName(CsvSafety.CURRENT.manifestName())).isEqualTo(CsvSafety.CURRENT);
    }
}
