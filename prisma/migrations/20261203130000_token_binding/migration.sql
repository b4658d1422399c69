-- Service-account tokens are bound to the uid of their account (and of a Pod or Secret when requested):
-- a token outlives neither, and an account recreated with the same name does not revive it. Tokens issued
-- before this column existed carry no binding and are refused from now on (they lived at most 48 hours).
ALTER TABLE "api_tokens" ADD COLUMN "bound_to" JSONB;
