import type { LocalizationTable } from '../table/LocalizationTable.js';
import { TableCsvWriter } from './TableCsvWriter.js';

/**
 * Write a table as CSV ({@link TableCsvWriter}): as `PATH.partial`, renamed when complete, so a
 * failed write never leaves a cut file under the name.
 * @param path - the CSV
 * @param table - the table
 * @throws FileWriteError naming the file and the cause
 */
export function writeLocalizationTable(path: string, table: LocalizationTable): void {
  const writer = new TableCsvWriter(path, table.header);
  try {
    writer.write(table);
    writer.commit();
  } catch (error) {
    writer.abandon();
    throw error;
  }
}
