import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  ListSuppliersQuery,
  Supplier,
  SupplierDocumentPage,
  SupplierGtinPage,
  SupplierListQuery,
  SupplierPage,
  SupplierParams,
} from "../../../api/suppliers";
import { appError } from "../../plugins/error-catalogue";
import { SuppliersRepository } from "./suppliers.repository";

/**
 * /v1/suppliers: qualification is a public procurement fact any signed-in account may read.
 */
const suppliersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = new SuppliersRepository(app.db);
  const signedIn = app.requireRole();

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["suppliers"],
        summary: "Suppliers and their qualification status",
        querystring: ListSuppliersQuery,
        response: { 200: SupplierPage, ...errorResponses },
      },
    },
    async (request) => repo.list(request.query),
  );

  app.get(
    "/:address",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["suppliers"],
        summary: "A supplier with its qualification documents and the GTINs it may ship",
        params: SupplierParams,
        response: { 200: Supplier, ...errorResponses },
      },
    },
    async (request) => {
      const found = await repo.get(request.params.address);
      if (!found) throw notFound(request.params.address);
      return found;
    },
  );

  app.get(
    "/:address/documents",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["suppliers"],
        summary: "A supplier's qualification documents, newest first, a page at a time",
        params: SupplierParams,
        querystring: SupplierListQuery,
        response: { 200: SupplierDocumentPage, ...errorResponses },
      },
    },
    async (request) => {
      if (!(await repo.exists(request.params.address))) throw notFound(request.params.address);
      return repo.documents(request.params.address, request.query);
    },
  );

  app.get(
    "/:address/gtins",
    {
      onRequest: signedIn,
      schema: {
        security: bearer,
        tags: ["suppliers"],
        summary: "The GTINs a supplier may ship, a page at a time",
        params: SupplierParams,
        querystring: SupplierListQuery,
        response: { 200: SupplierGtinPage, ...errorResponses },
      },
    },
    async (request) => {
      if (!(await repo.exists(request.params.address))) throw notFound(request.params.address);
      return repo.gtins(request.params.address, request.query);
    },
  );
};

const notFound = (address: string) => appError("SUPPLIER_NOT_FOUND", `no supplier ${address} on the ledger`);

export default suppliersRoutes;
