package io.airlock.report.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.airlock.report.CsvSafety;
import io.airlock.report.RecordKind;
import io.airlock.report.ReportRecord;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CSV data files (RFC 4180, header row, UTF-8): columns {@code seq}, {@code prev_hash}, {@code hash}, then the kind's
 * columns. Every cell goes through {@link CsvSafety#neutralize(String)}, so no value runs as a spreadsheet formula; the
 * hashes are over the original values. Positions are given as CSV rows (the header is row 1); a row is one line unless a
 * value holds a line break.
 */
public final class CsvRecords {

    private static final CsvMapper CSV = CsvMapper.builder()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .build();
    private static final List<String> CHAIN_COLUMNS = List.of("seq", "prev_hash", "hash");

    private CsvRecords() {
    }

    static List<String> header(RecordKind kind) {
        List<String> header = new ArrayList<>(CHAIN_COLUMNS);
        header.addAll(kind.columns());
        return header;
    }

    public static RecordFileWriter writer(Path file, RecordKind kind) throws IOException {
        List<String> header = header(kind);
        Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        SequenceWriter rows = CSV.writer(CsvSchema.emptySchema().withoutHeader().withLineSeparator("\r\n"))
                .writeValues(out);
        rows.write(header); // column names are Airlock's own: only values can carry a formula
        return new RecordFileWriter() {
            @Override
            public void write(long seq, String prevHash, String hash, ReportRecord record) throws IOException {
                List<String> row = new ArrayList<>(header.size());
                row.add(Long.toString(seq));
                row.add(prevHash);
                row.add(hash);
                for (String column : kind.columns()) {
                    String value = record.get(column);
                    row.add(value == null ? "" : CsvSafety.neutralize(value));
                }
                rows.write(row);
            }

            @Override
            public void close() throws IOException {
                rows.close();
                out.close();
            }
        };
    }

    /** Line breaks inside the values of a row (each {@code \n}, so a {@code \r\n} once): lines the row takes beyond its first. */
    private static long lineBreaksIn(List<String> row) {
        long breaks = 0;
        for (String cell : row) {
            for (int i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) {
                breaks++;
            }
        }
        return breaks;
    }

    /** A reader of a file written now ({@link CsvSafety#CURRENT}). */
    public static RecordFileReader reader(Path file, RecordKind kind) throws IOException {
        return reader(file, kind, CsvSafety.CURRENT);
    }

    /**
     * @param guard the formula guard the file was written with, as its manifest entry says: a cell must be in exactly that
     *              form
     */
    public static RecordFileReader reader(Path file, RecordKind kind, CsvSafety.Guard guard) throws IOException {
        Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        MappingIterator<List<String>> rows = CSV.readerForListOf(String.class).with(CsvSchema.emptySchema()).readValues(in);
        List<String> expected = header(kind);
        // reports written before 7 December 2026 neutralized the header too ('@timestamp)
        List<String> expectedBefore = header(kind).stream().map(c -> CsvSafety.neutralize(c, CsvSafety.Guard.FIRST_CHARACTER)).toList();
        return new RecordFileReader() {
            private boolean headerRead;
            private long rowNumber;
            /** The file line the next row starts on. */
            private long nextLine = 1;

            @Override
            public ChainedRecord next() throws IOException {
                boolean more;
                try {
                    more = rows.hasNextValue();
                } catch (RuntimeException | IOException e) {
                    throw new MalformedRecordFileException(rowNumber + 1, "not valid CSV");
                }
                if (!more) {
                    if (!headerRead) {
                        throw new MalformedRecordFileException(1, "no header row");
                    }
                    return null;
                }
                rowNumber++;
                List<String> row;
                try {
                    row = rows.nextValue();
                } catch (RuntimeException | IOException e) {
                    throw new MalformedRecordFileException(rowNumber, "not valid CSV");
                }
                long firstLine = nextLine;
                nextLine += 1 + lineBreaksIn(row);
                if (!headerRead) {
                    headerRead = true;
                    if (!row.equals(expected) && !row.equals(expectedBefore)) {
                        throw new MalformedRecordFileException(1, "header is not " + String.join(",", expected));
                    }
                    return next();
                }
                if (row.size() != expected.size()) {
                    throw new MalformedRecordFileException(rowNumber, row.size() + " cells, expected " + expected.size());
                }
                long seq;
                try {
                    seq = Long.parseLong(row.get(0));
                } catch (NumberFormatException e) {
                    throw new MalformedRecordFileException(rowNumber, "seq is not a number");
                }
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 0; i < kind.columns().size(); i++) {
                    String cell = row.get(i + CHAIN_COLUMNS.size());
                    String value = CsvSafety.restore(cell);
                    if (!cell.equals(CsvSafety.neutralize(value, guard))) {
                        // only the writer's own form maps back to the hashed value: a removed guard apostrophe must not verify
                        throw new MalformedRecordFileException(rowNumber, "cell " + kind.columns().get(i)
                                + " is not in the written form (its formula neutralization was removed or added)");
                    }
                    fields.put(kind.columns().get(i), value);
                }
                return new ChainedRecord(rowNumber, firstLine, seq, row.get(1), row.get(2), new ReportRecord(kind, fields));
            }

            @Override
            public void close() throws IOException {
                rows.close();
                in.close();
            }
        };
    }
}
