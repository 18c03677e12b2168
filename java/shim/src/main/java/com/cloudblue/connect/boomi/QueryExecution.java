package com.cloudblue.connect.boomi;

import com.boomi.connector.api.FilterData;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.OperationResponse;
import com.boomi.connector.api.OperationStatus;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A QUERY: one filter input, answered by one partial result per Connect record, page by page, then
 * {@code finishPartialResult}. Only one page is held in memory at a time.
 */
final class QueryExecution {
    private final OperationContext context;
    private final OperationResponse response;
    private final Logger log;

    QueryExecution(OperationContext context, OperationResponse response) {
        this.context = context;
        this.response = response;
        this.log = response.getLogger();
    }

    void run(FilterData input) {
        boolean sentAny = false;
        boolean finished = false;
        String lastStatus = "200";
        long client = 0;
        long cursor = 0;
        try {
            // How Boomi names selected fields of JSON profiles is not documented: keep what came.
            log.log(Level.FINE, "Selected fields received: {0}", String.valueOf(context.getSelectedFields()));
            byte[] query = Requests.query(context, input, input.getFilter());
            client = NativeHandles.openClient(context, log);
            cursor = Native.queryOpen(client, query);
            while (true) {
                Wire.Frame frame = Wire.parse(Native.queryNext(cursor));
                Frames.log(frame, log);
                Wire.Page page = frame.page();
                lastStatus = page.statusCode;
                for (Wire.Data data : page.payloads) {
                    response.addPartialResult(input, OperationStatus.SUCCESS, page.statusCode, null,
                            Frames.payload(data, response));
                    sentAny = true;
                }
                if (page.done) {
                    break;
                }
            }
            finished = true;
            if (sentAny) {
                response.finishPartialResult(input);
            } else {
                // Nothing matched: an empty success, the result Boomi defines for "no document"
                // (a finish without any partial result is not defined by the SDK's contract).
                response.addEmptyResult(input, OperationStatus.SUCCESS, lastStatus, null);
            }
        } catch (RuntimeException e) {
            if (finished) {
                // The response itself refused the finish: nothing more can be said for this input.
                throw e;
            }
            String code = Frames.code(e);
            String message = Frames.message(e);
            log.log(Level.SEVERE, "Query failed: {0}", message);
            if (!sentAny) {
                response.addErrorResult(input, OperationStatus.FAILURE, code, message, e);
            } else {
                // Documents already went downstream; the failure is added to the same result.
                response.addPartialResult(input, OperationStatus.FAILURE, code, message, null);
                response.finishPartialResult(input);
            }
        } finally {
            if (cursor != 0) {
                NativeHandles.closeCursor(cursor, log);
            }
            if (client != 0) {
                NativeHandles.closeClient(client, log);
            }
        }
    }
}
