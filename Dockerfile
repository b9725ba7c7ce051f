# The hub and its prebuilt connector plugins in one small image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 make build plugins

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/bellhop /usr/local/bin/bellhop
COPY --from=build /src/bin/plugins /usr/local/lib/bellhop/plugins
ENV BELLHOP_ADDR=0.0.0.0:8080 BELLHOP_PLUGIN_DIR=/usr/local/lib/bellhop/plugins
EXPOSE 8080
ENTRYPOINT ["bellhop", "serve"]
