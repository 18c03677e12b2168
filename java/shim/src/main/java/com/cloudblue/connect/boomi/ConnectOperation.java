package com.cloudblue.connect.boomi;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.DeleteRequest;
import com.boomi.connector.api.GetRequest;
import com.boomi.connector.api.Operation;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.OperationRequest;
import com.boomi.connector.api.OperationResponse;
import com.boomi.connector.api.QueryRequest;
import com.boomi.connector.api.UpdateRequest;
import java.util.Collections;

/**
 * Every operation kind: QUERY streams pages ({@link QueryExecution}); GET, CREATE, UPDATE, DELETE and
 * EXECUTE send documents in batches ({@link BatchExecution}). Dispatch is on the request's type, which
 * is what the Atom hands each operation type.
 */
final class ConnectOperation implements Operation {
    private final OperationContext context;

    ConnectOperation(OperationContext context) {
        this.context = context;
    }

    @Override
    public void execute(OperationRequest request, OperationResponse response) {
        if (request instanceof QueryRequest) {
            new QueryExecution(context, response).run(((QueryRequest) request).getFilter());
        } else if (request instanceof GetRequest) {
            new BatchExecution(context, response).runIds(
                    Collections.singletonList(((GetRequest) request).getObjectId()));
        } else if (request instanceof DeleteRequest) {
            new BatchExecution(context, response).runIds((DeleteRequest) request);
        } else if (request instanceof UpdateRequest) {
            new BatchExecution(context, response).runData((UpdateRequest) request);
        } else {
            throw new ConnectorException("UNSUPPORTED", "Unsupported request type "
                    + (request == null ? "null" : request.getClass().getName()) + " for operation "
                    + context.getOperationType() + ".");
        }
    }
}
